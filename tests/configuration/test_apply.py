"""Applying a folder: the difference first, everything or nothing, errors named by file and key, the CLI."""

import pytest
import yaml
from django.core.management import CommandError, call_command

from kontora.automation.models import Robot
from kontora.configuration import apply, diff, export
from kontora.configuration.sections import ConfigErrors
from kontora.crm.models import Category, Status
from kontora.events.models import ChangeSet


def _edit(path, change) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def _pipeline(data, name):
    return next(row for row in data["pipelines"] if row["name"] == name)


def test_the_plan_lists_additions_changes_and_removals(configured, org, tmp_path):
    export.export(tmp_path)

    def pipelines(data):
        workshop = _pipeline(data, "Мебельная мастерская")
        workshop["stages"].insert(1, {"code": "DELIVERY", "name": "Доставка", "sort": 25, "semantics": "process"})
        workshop["stages"] = [stage for stage in workshop["stages"] if stage["name"] != "Производство"]
        _pipeline(data, "Продажи")["stages"][0]["name"] = "Звонок"

    _edit(tmp_path / "pipelines.yaml", pipelines)
    _edit(tmp_path / "robots.yaml", lambda data: data["robots"].pop())
    before = ChangeSet.objects.count()

    changes = apply.plan(apply.load(tmp_path), by=org.admin)

    assert {(change.op, change.key) for change in changes} == {
        ("add", "pipeline Мебельная мастерская / stage DELIVERY"),
        ("remove", "pipeline Мебельная мастерская / stage UC_5"),
        ("change", "pipeline Продажи / stage NEW"),
        ("remove", "robot lead / - / NEW / Позвонить"),
    }
    text = diff.render(changes)
    assert "name: 'Первый контакт' → 'Звонок'" in text
    assert text.endswith("1 to add, 1 to change, 2 to remove.\n")
    # Planning changed nothing.
    assert ChangeSet.objects.count() == before
    assert Status.objects.get(entity_id="DEAL_STAGE", status_id="NEW").name == "Первый контакт"
    assert Robot.objects.filter(title="Позвонить").exists()


def test_an_invalid_file_changes_nothing_and_says_where(configured, org, tmp_path):
    export.export(tmp_path)
    _edit(tmp_path / "pipelines.yaml", lambda data: data["pipelines"][0]["stages"].append({"code": "x y"}))
    _edit(tmp_path / "fields.yaml", lambda data: data["fields"]["deal"][0].update(label_ru="Порода дерева"))

    with pytest.raises(ConfigErrors) as error:
        apply.apply(apply.load(tmp_path), by=org.admin)

    stage = f"pipelines[0].stages[{len(Status.objects.filter(entity_id='DEAL_STAGE'))}]"
    assert {(item.file, item.key) for item in error.value.errors} == {
        ("pipelines.yaml", f"{stage}.code"),
        ("pipelines.yaml", f"{stage}.name"),
    }
    assert configured.field.label_ru == "Материал"


def test_a_refusal_of_a_service_rolls_back_the_sections_before_it(configured, org, tmp_path):
    export.export(tmp_path)
    _edit(tmp_path / "pipelines.yaml", lambda data: _pipeline(data, "Продажи").update(sort=99))
    _edit(tmp_path / "robots.yaml", lambda data: data["robots"][0].update(action="no_such_action"))

    with pytest.raises(ConfigErrors) as error:
        apply.apply(apply.load(tmp_path), by=org.admin)

    [problem] = error.value.errors
    assert problem.file == "robots.yaml"
    assert problem.key == "robot deal / Мебельная мастерская / UC_4 / Назначить замерщика.action"
    assert Category.objects.get(pk=0).sort == 10


def test_robots_may_name_stages_of_a_pipeline_the_same_folder_adds(configured, org, tmp_path):
    export.export(tmp_path)

    def pipelines(data):
        data["pipelines"].append(
            {"name": "Сервис", "sort": 30, "stages": [
                {"code": "NEW", "name": "Заявка", "sort": 10, "color": "#39A8EF", "semantics": "process"},
                {"code": "REPAIR", "name": "Ремонт", "sort": 20, "color": "#2FC6F6", "semantics": "process"},
                {"code": "WON", "name": "Готово", "sort": 1000, "color": "#7BD500", "semantics": "success"},
                {"code": "LOSE", "name": "Отказ", "sort": 1010, "color": "#FF5752", "semantics": "failure"},
            ]}
        )  # fmt: skip

    _edit(tmp_path / "pipelines.yaml", pipelines)
    robot = {"pipeline": "Сервис", "stage": "REPAIR", "title": "Мастеру", "action": "notify",
             "params": {"message": "Новый ремонт", "users": ["anna"]}, "author": "admin"}  # fmt: skip
    _edit(tmp_path / "robots.yaml", lambda data: data["robots"].append(robot))

    changes = apply.apply(apply.load(tmp_path), by=org.admin)

    assert [(change.op, change.key) for change in changes] == [
        ("add", "pipeline Сервис"),
        ("add", "robot deal / Сервис / REPAIR / Мастеру"),
    ]
    service = Category.objects.get(name="Сервис")
    added = Robot.objects.get(title="Мастеру")
    assert (added.category_id, added.stage, added.params["users"]) == (
        service.pk, f"C{service.pk}:REPAIR", [org.sales_rep.pk]
    )  # fmt: skip
    assert Status.objects.get(status_id=f"C{service.pk}:NEW").name == "Заявка"
    assert apply.plan(apply.load(tmp_path), by=org.admin) == []


def test_a_robot_naming_an_unknown_pipeline_or_person_is_refused(configured, org, tmp_path):
    export.export(tmp_path)
    robot = {"pipeline": "Нет такой", "stage": "NEW", "title": "X", "action": "notify",
             "params": {"users": ["ghost"]}}  # fmt: skip
    _edit(tmp_path / "robots.yaml", lambda data: data["robots"].append(robot))

    with pytest.raises(ConfigErrors) as error:
        apply.plan(apply.load(tmp_path), by=org.admin)

    assert {(item.key, item.message) for item in error.value.errors} == {
        ("robots[3].pipeline", "there is no pipeline 'Нет такой'"),
        ("robots[3].params.users", "there is no user 'ghost'"),
    }


def test_the_command_exports_shows_and_applies(configured, org, tmp_path, capsys):
    call_command("config", "export", str(tmp_path))
    _edit(tmp_path / "dictionaries.yaml", lambda data: data["loss_reasons"].append({"name": "Дорого", "sort": 70}))

    call_command("config", "apply", str(tmp_path), "--dry-run")
    assert "+ loss reason Дорого" in capsys.readouterr().out
    call_command("config", "apply", str(tmp_path), "--yes", "--as", "admin")
    assert "Applied." in capsys.readouterr().out
    call_command("config", "apply", str(tmp_path), "--dry-run")
    assert capsys.readouterr().out == "No changes.\n"

    (tmp_path / "roles.yaml").write_text("roles: [\n")
    with pytest.raises(CommandError, match="Nothing was changed"):
        call_command("config", "apply", str(tmp_path), "--yes")
    assert "roles.yaml: line 2: not valid YAML" in capsys.readouterr().err
