"""Robots at volume: deals arriving at a stage with three robots each, run by the real scheduling and job code,
beside the bare SQL writes the same work needs.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kontora_bench_automation \\
        .venv/bin/python -m bench.bench_automation [--deals 10000]

The deals are inserted in bulk and moved to PREPARATION by SQL, each with its `crm.deal.stage_changed` event row
(setup, not timed). Timed, for Kontora: each event is handed to the engine's subscriber as the event bus does (one
transaction per delivery); it schedules the three runs (durable work), and on commit the jobs run inline (Huey in
immediate mode), each claiming its run, checking the stage, running its action through the CRM services (with
their history, events and the subscribers of those events) and marking the run done. The robots: plan an
activity, set PROBABILITY, add a comment. Timed, for bare SQL: per deal, one transaction inserting the three run
rows already done, the activity, the comment, the deal's new probability, and the change sets and event rows the
services write.
"""

import argparse
import os
import time
from decimal import Decimal

os.environ["KONTORA_JOBS_IMMEDIATE"] = "1"

from bench.harness import setup_django  # noqa: E402  the environment above must be set first

BARE_SQL = """
WITH runs AS (
    INSERT INTO automation_robotrun (robot_id, config, entity, record_id, event_id, waiting, result, holding,
        hold_fields, status, due_at, attempts, last_error, lease_token, done_at, created_at)
    SELECT r.id, '{}', 'deal', %(deal)s, %(event)s, false, 'done', false, '[]', 'done', now(), 1, '', '', now(), now()
    FROM automation_robot r WHERE r.id = ANY(%(robots)s) RETURNING id
), activity AS (
    INSERT INTO crm_activity (created_at, updated_at, owner_type, owner_id, type_id, subject, description,
        responsible_id, author_id, direction, completed, in_bin)
    VALUES (now(), now(), 2, %(deal)s, 3, 'Call', '', %(user)s, %(user)s, 2, false, false) RETURNING id
), comment AS (
    INSERT INTO crm_comment (entity_type, entity_id, author_id, text, created_at)
    VALUES (2, %(deal)s, %(user)s, 'Arrived', now()) RETURNING id
), deal AS (
    UPDATE crm_deal SET probability = 50, modified_by_id = %(user)s, updated_at = now() WHERE id = %(deal)s
    RETURNING id
), changes AS (
    INSERT INTO events_changeset (content_type_id, object_id, object_repr, actor_id, action, changes, created_at)
    SELECT ct, obj, '', %(user)s, act, '{}', now() FROM (VALUES
        (%(activity_ct)s, (SELECT id FROM activity)::text, 'create'), (%(deal_ct)s, %(deal)s::text, 'update'),
        (%(deal_ct)s, %(deal)s::text, 'robot'), (%(deal_ct)s, %(deal)s::text, 'robot'),
        (%(deal_ct)s, %(deal)s::text, 'robot')) AS v(ct, obj, act)
    RETURNING id
)
INSERT INTO events_event (name, content_type_id, object_id, actor_id, data, created_at)
SELECT name, ct, obj, %(user)s, '{}', now() FROM (VALUES
    ('crm.activity.created', %(activity_ct)s, (SELECT id FROM activity)::text),
    ('crm.deal.updated', %(deal_ct)s, (SELECT id FROM deal)::text),
    ('crm.comment.created', NULL, (SELECT id FROM comment)::text),
    ('robots', NULL, (SELECT count(*) FROM runs)::text),
    ('changes', NULL, (SELECT count(*) FROM changes)::text)) AS v(name, ct, obj)
"""


def _prepare(count: int):
    from django.contrib.contenttypes.models import ContentType

    from kontora.accounts.models import Role, User
    from kontora.accounts.services import create_user
    from kontora.automation import services
    from kontora.automation.models import Robot
    from kontora.crm.models import Activity, Category, Deal, Status
    from kontora.events.models import Event

    admin = User.objects.filter(username="bench-admin").first() or create_user(
        by=None, username="bench-admin", password="Kontora-robots-7731", first_name="Bench",
        roles=[Role.objects.builtin("administrator")],
    )  # fmt: skip
    category = Category.objects.get(pk=0)
    new, preparation = (Status.objects.get(entity_id="DEAL_STAGE", status_id=code) for code in ("NEW", "PREPARATION"))
    Robot.objects.all().delete()
    robots = [
        services.add_robot(by=admin, entity="deal", category=category, stage="PREPARATION", title=title,
                           action=action, params=params, sort=sort)
        for sort, (title, action, params) in enumerate([
            ("Call", "plan_activity", {"subject": "Call {{TITLE}}"}),
            ("Probability", "set_fields", {"fields": {"PROBABILITY": "50"}}),
            ("Comment", "add_comment", {"text": "Arrived at {{STAGE_ID}}"}),
        ])
    ]  # fmt: skip

    def batch(label: str) -> list[int]:
        deals = Deal.objects.bulk_create(
            Deal(title=f"{label} {n}", category=category, stage=new, amount=Decimal(n), responsible=admin,
                 created_by=admin, modified_by=admin)
            for n in range(count)
        )  # fmt: skip
        ids = [deal.pk for deal in deals]
        Deal.objects.filter(pk__in=ids).update(stage=preparation)
        return ids

    deal_type = ContentType.objects.get_for_model(Deal)
    kontora_ids, bare_ids = batch("Kontora"), batch("Bare")
    events = Event.objects.bulk_create(
        Event(name="crm.deal.stage_changed", content_type=deal_type, object_id=str(pk), actor=admin,
              data={"to_stage": "PREPARATION", "from_stage": "NEW"})
        for pk in kontora_ids + bare_ids
    )  # fmt: skip
    by_deal = {int(event.object_id): event for event in events}
    return admin, robots, kontora_ids, bare_ids, by_deal, deal_type, ContentType.objects.get_for_model(Activity)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--deals", type=int, default=10_000)
    args = parser.parse_args()
    setup_django()
    from django.db import connection, transaction

    from kontora.automation import engine
    from kontora.automation.models import RobotRun
    from kontora.crm.models import Activity, Comment

    admin, robots, kontora_ids, bare_ids, events, deal_type, activity_type = _prepare(args.deals)
    print(f"{args.deals:,} deals × {len(robots)} robots on {connection.vendor}")

    started = time.perf_counter()
    for pk in kontora_ids:
        with transaction.atomic():
            engine.on_deal_stage_changed(events[pk])
    ours = time.perf_counter() - started

    done = RobotRun.objects.filter(record_id__in=kontora_ids, status="done").count()
    activities = Activity.objects.filter(owner_type=2, owner_id__in=kontora_ids).count()
    comments = Comment.objects.filter(entity_type=2, entity_id__in=kontora_ids).count()
    assert done == 3 * args.deals and activities == comments == args.deals, (done, activities, comments)

    started = time.perf_counter()
    for pk in bare_ids:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(BARE_SQL, {
                "deal": pk, "event": events[pk].pk, "robots": [robot.pk for robot in robots], "user": admin.pk,
                "deal_ct": deal_type.pk, "activity_ct": activity_type.pk,
            })  # fmt: skip
    theirs = time.perf_counter() - started
    runs = 3 * args.deals
    print(
        f"robot runs: kontora {runs / ours:8.1f}/s ({ours:.1f} s)   bare SQL {runs / theirs:8.1f}/s ({theirs:.1f} s)"
        f"   ratio {ours / theirs:5.1f}"
    )


if __name__ == "__main__":
    main()
