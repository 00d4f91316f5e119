"""The Gantt page and its JSON endpoints."""

from datetime import datetime

from django.urls import reverse
from django.utils import timezone

from kontora.tasks.choices import DependencyType
from kontora.tasks.models import Dependency, Task
from kontora.tasks.services.dependencies import add_dependency
from tests.factories import make_project, make_task


def at(day: int, hour: int = 9) -> datetime:
    return datetime(2030, 3, day, hour, tzinfo=timezone.get_current_timezone())


def planned(by, start: datetime, end: datetime, **fields) -> Task:
    return make_task(by=by, start_date_plan=start, end_date_plan=end, **fields)


def test_page_shows_the_chart_frame(client, org):
    client.force_login(org.sales_rep)

    response = client.get(reverse("tasks:gantt"))

    assert response.status_code == 200
    html = response.content.decode()
    assert "vendor/frappe-gantt.js" in html and 'id="gantt-chart"' in html
    assert reverse("tasks:gantt_data") + "?role=all" in html


def test_data_lists_only_visible_dated_tasks_with_their_links(client, org):
    first = planned(org.sales_rep, at(1), at(2))
    second = make_task(by=org.sales_rep, deadline=at(5, 18))
    make_task(by=org.sales_rep)  # no dates: not on the chart
    hidden = planned(org.marketing_rep, at(1), at(3))
    add_dependency(first, second, by=org.sales_rep, type=DependencyType.START_START)
    client.force_login(org.sales_rep)

    data = client.get(reverse("tasks:gantt_data")).json()

    bars = {item["id"]: item for item in data["tasks"]}
    assert set(bars) == {str(first.pk), str(second.pk)}
    assert str(hidden.pk) not in bars
    assert bars[str(first.pk)]["start"] == "2030-03-01" and bars[str(first.pk)]["end"] == "2030-03-02"
    assert bars[str(second.pk)]["dependencies"] == str(first.pk)
    assert bars[str(second.pk)]["end"] == "2030-03-05" and bars[str(second.pk)]["editable"]
    assert [(link["predecessor"], link["successor"], link["short"]) for link in data["links"]] == [
        (str(first.pk), str(second.pk), "SS")
    ]


def test_data_of_a_project_and_of_an_unseen_project(client, org):
    project = make_project(by=org.sales_head)
    inside = planned(org.sales_head, at(1), at(2), project=project)
    planned(org.sales_head, at(1), at(2))
    client.force_login(org.sales_head)

    data = client.get(reverse("tasks:gantt_data"), {"project": project.pk}).json()

    assert [item["id"] for item in data["tasks"]] == [str(inside.pk)]
    client.force_login(org.nobody)
    assert client.get(reverse("tasks:gantt_data"), {"project": 999999}).status_code == 404


def test_read_only_bars_are_marked(client, org):
    task = planned(org.sales_head, at(1), at(2), responsible=org.sales_rep)
    client.force_login(org.sales_rep)

    bar = client.get(reverse("tasks:gantt_data"), {"role": "doing"}).json()["tasks"][0]

    assert bar["id"] == str(task.pk) and not bar["editable"] and bar["custom_class"].endswith("-ro")


def test_move_returns_the_moved_dependents(client, org):
    a = planned(org.sales_head, at(1), at(3, 18))
    b = planned(org.sales_head, at(4), at(6, 18))
    add_dependency(a, b, by=org.sales_head)
    client.force_login(org.sales_head)

    response = client.post(reverse("tasks:gantt_move", args=[a.pk]), {"start": "2030-03-03", "end": "2030-03-05"})

    assert response.status_code == 200
    moved = {item["id"]: item for item in response.json()["moved"]}
    assert list(moved) == [str(a.pk), str(b.pk)]
    assert (moved[str(b.pk)]["start"], moved[str(b.pk)]["end"]) == ("2030-03-05", "2030-03-08")
    b.refresh_from_db()
    assert b.start_date_plan == at(5, 18) and b.end_date_plan == at(8, 3)  # duration kept: 2 days 9 hours
    a.refresh_from_db()
    assert (a.start_date_plan, a.end_date_plan) == (at(3), at(5, 18))  # times of day kept


def test_move_reports_dependents_left_alone(client, org):
    mine = planned(org.sales_rep, at(1), at(3))
    set_for_me = planned(org.sales_head, at(4), at(5), responsible=org.sales_rep)
    add_dependency(mine, set_for_me, by=org.sales_head)
    client.force_login(org.sales_rep)

    data = client.post(reverse("tasks:gantt_move", args=[mine.pk]), {"start": "2030-03-05", "end": "2030-03-08"}).json()

    assert [item["id"] for item in data["moved"]] == [str(mine.pk)]
    assert data["blocked"] == 1 and data["message"]


def test_move_refusals(client, org):
    task = planned(org.sales_head, at(1), at(2), responsible=org.sales_rep)
    url = reverse("tasks:gantt_move", args=[task.pk])

    client.force_login(org.sales_rep)
    refused = client.post(url, {"start": "2030-03-05", "end": "2030-03-06"})
    assert refused.status_code == 403 and refused.json()["error"]
    assert client.post(url, {"start": "2030-03-06", "end": "2030-03-05"}).status_code == 400
    assert client.post(url, {"start": "nonsense", "end": "2030-03-05"}).status_code == 400
    assert client.get(url).status_code == 405
    client.force_login(org.marketing_rep)
    assert client.post(url, {"start": "2030-03-05", "end": "2030-03-06"}).status_code == 404
    task.refresh_from_db()
    assert task.start_date_plan == at(1)


def test_link_and_unlink(client, org):
    a, b = planned(org.sales_head, at(1), at(2)), planned(org.sales_head, at(3), at(4))
    client.force_login(org.sales_head)

    response = client.post(
        reverse("tasks:gantt_link"), {"predecessor": a.pk, "successor": b.pk, "type": DependencyType.FINISH_FINISH}
    )

    assert response.status_code == 200 and response.json()["link"]["short"] == "FF"
    link = Dependency.objects.get(predecessor=a, successor=b)
    assert link.type == DependencyType.FINISH_FINISH
    loop = client.post(reverse("tasks:gantt_link"), {"predecessor": b.pk, "successor": a.pk, "type": 2})
    assert loop.status_code == 400 and loop.json()["error"]
    assert client.post(reverse("tasks:gantt_unlink", args=[link.pk])).json() == {"removed": link.pk}
    assert not Dependency.objects.exists()


def test_link_and_unlink_refusals(client, org):
    mine = planned(org.sales_rep, at(1), at(2))
    set_for_me = planned(org.sales_head, at(3), at(4), responsible=org.sales_rep)
    hidden = planned(org.marketing_rep, at(1), at(2))
    link = add_dependency(mine, set_for_me, by=org.sales_head)
    client.force_login(org.sales_rep)

    url = reverse("tasks:gantt_link")
    forbidden = client.post(url, {"predecessor": mine.pk, "successor": set_for_me.pk, "type": 0})
    unseen = client.post(url, {"predecessor": hidden.pk, "successor": mine.pk, "type": 2})
    bad_type = client.post(url, {"predecessor": set_for_me.pk, "successor": mine.pk, "type": 9})

    assert forbidden.status_code == 403
    assert unseen.status_code == 404
    assert bad_type.status_code == 400
    assert client.post(reverse("tasks:gantt_unlink", args=[link.pk])).status_code == 403
    client.force_login(org.marketing_rep)
    assert client.post(reverse("tasks:gantt_unlink", args=[link.pk])).status_code == 404
    assert Dependency.objects.filter(pk=link.pk, type=DependencyType.FINISH_START).exists()
