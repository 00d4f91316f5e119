"""Sales analytics at company scale: the funnel and manager activity for a month, Kontora against bare SQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kontora_bench_analytics \\
        .venv/bin/python -m bench.bench_analytics [--deals 1000000] [--repeat 7]

Generates the data set with bench.analytics_data on first use. The viewer is the head of "Продажи Москва" (six
departments); each Kontora call starts as a new request (the head loaded afresh, the gate resolved again). The bare
SQL computes the same figures with the head's people given for free. The target is under 300 ms a screen;
the figures and what they say are in bench/README.md.
"""

import argparse

from bench import analytics_data
from bench.harness import report, setup_django

FUNNEL = [
    """SELECT f.furthest, cur.semantics, count(*), sum(d.amount) FROM crm_deal d
        JOIN crm_status cur ON cur.id = d.stage_id
        LEFT JOIN LATERAL (SELECT max(s.sort) AS furthest FROM crm_stagehistory h
                           JOIN crm_status s ON s.id = h.to_stage_id
                           WHERE h.entity_type = 2 AND h.entity_id = d.id AND s.semantics IN ('P', 'S')) f ON true
        WHERE d.deleted_at IS NULL AND d.responsible_id = ANY(%(people)s) AND d.category_id = 0
        AND d.created_at >= %(start)s AND d.created_at < %(end)s GROUP BY 1, 2""",
    """SELECT d.stage_id, count(*), sum(d.amount) FROM crm_deal d
        WHERE d.deleted_at IS NULL AND d.responsible_id = ANY(%(people)s) AND d.category_id = 0
        AND d.created_at >= %(start)s AND d.created_at < %(end)s GROUP BY 1""",
    """SELECT d.loss_reason_id, count(*), sum(d.amount) FROM crm_deal d JOIN crm_status cur ON cur.id = d.stage_id
        WHERE d.deleted_at IS NULL AND d.responsible_id = ANY(%(people)s) AND d.category_id = 0 AND cur.semantics = 'F'
        AND d.created_at >= %(start)s AND d.created_at < %(end)s GROUP BY 1""",
]
ACTIVITY = [
    """SELECT responsible_id, count(*) FILTER (WHERE type_id = 2), count(*) FILTER (WHERE type_id = 4),
        count(*) FILTER (WHERE type_id = 1), count(*) FROM crm_activity
        WHERE completed AND NOT in_bin AND completed_at >= %(start)s AND completed_at < %(end)s
        AND responsible_id = ANY(%(people)s) GROUP BY 1""",
    """SELECT responsible_id, count(*) FROM crm_activity WHERE NOT completed AND NOT in_bin AND deadline < now()
        AND responsible_id = ANY(%(people)s) GROUP BY 1""",
    """SELECT responsible_id, count(*) FROM tasks_task WHERE status = 5 AND deleted_at IS NULL
        AND closed_at >= %(start)s AND closed_at < %(end)s AND responsible_id = ANY(%(people)s) GROUP BY 1""",
    """SELECT responsible_id, count(*) FROM crm_deal WHERE deleted_at IS NULL AND created_at >= %(start)s
        AND created_at < %(end)s AND responsible_id = ANY(%(people)s) GROUP BY 1""",
    """SELECT h.moved_by_id, count(*) FROM crm_stagehistory h JOIN crm_status t ON t.id = h.to_stage_id
        JOIN crm_status f ON f.id = h.from_stage_id JOIN crm_deal d ON d.id = h.entity_id
        WHERE h.entity_type = 2 AND h.moved_at >= %(start)s AND h.moved_at < %(end)s AND t.semantics IN ('P', 'S')
        AND t.sort > f.sort AND d.deleted_at IS NULL AND d.responsible_id = ANY(%(people)s)
        AND h.moved_by_id = ANY(%(people)s) GROUP BY 1""",
    """SELECT d.responsible_id, count(*) FILTER (WHERE s.semantics = 'S'), count(*) FILTER (WHERE s.semantics = 'F'),
        sum(d.amount) FILTER (WHERE s.semantics = 'S') FROM crm_deal d JOIN crm_status s ON s.id = d.stage_id
        WHERE d.deleted_at IS NULL AND d.moved_at >= %(start)s AND d.moved_at < %(end)s
        AND d.responsible_id = ANY(%(people)s) GROUP BY 1""",
    """SELECT date_trunc('day', completed_at AT TIME ZONE 'Europe/Moscow'), count(*) FILTER (WHERE type_id = 2),
        count(*) FILTER (WHERE type_id = 4), count(*) FILTER (WHERE type_id = 1) FROM crm_activity
        WHERE completed AND NOT in_bin AND completed_at >= %(start)s AND completed_at < %(end)s
        AND responsible_id = ANY(%(people)s) GROUP BY 1""",
    """SELECT date_trunc('day', closed_at AT TIME ZONE 'Europe/Moscow'), count(*) FROM tasks_task
        WHERE status = 5 AND deleted_at IS NULL AND closed_at >= %(start)s AND closed_at < %(end)s
        AND responsible_id = ANY(%(people)s) GROUP BY 1""",
    """SELECT date_trunc('day', d.moved_at AT TIME ZONE 'Europe/Moscow'), count(*) FROM crm_deal d
        JOIN crm_status s ON s.id = d.stage_id WHERE d.deleted_at IS NULL AND s.semantics = 'S'
        AND d.moved_at >= %(start)s AND d.moved_at < %(end)s AND d.responsible_id = ANY(%(people)s) GROUP BY 1""",
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--deals", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    setup_django()
    from django.db import connection

    from kontora.accounts import access
    from kontora.accounts.models import Level, User
    from kontora.analytics.selectors import activity, funnel
    from kontora.analytics.selectors.scope import Scope, month_period
    from kontora.crm.models import Category

    data = analytics_data.generate(args.deals)
    head = User.objects.get(pk=data.head_id)
    departments = sorted(access.context_for(head).department_tree)
    period = month_period(shift=-1)
    people = access.context_for(head).people(Level.SUBTREE)
    params = {"people": people, "start": period.start, "end": period.end}
    print(f"{data.deals:,} deals; the head of {head.department} ({len(departments)} departments); {period}")

    def bare(queries: list[str]):
        def run() -> list:
            with connection.cursor() as cursor:
                found = []
                for sql in queries:
                    cursor.execute(sql, params)
                    found.append(cursor.fetchall())
                return found

        return run

    def kontora_funnel():
        viewer = User.objects.get(pk=data.head_id)  # a new request
        return funnel.funnel(viewer, Scope(period, Category.objects.get(pk=0)))

    def kontora_activity():
        viewer = User.objects.get(pk=data.head_id)
        return activity.report(viewer, Scope(period))

    result = kontora_funnel()
    print("funnel:", ", ".join(f"{row.stage.name} {row.count}" for row in result.stages))
    report("funnel for a month (count, amount, conversions, losses)", kontora_funnel, bare(FUNNEL), args.repeat)
    result = kontora_activity()
    print(f"activity: {len(result.departments)} departments, {result.total.done} activities done")
    report("manager activity for a month (table and daily chart)", kontora_activity, bare(ACTIVITY), args.repeat)


if __name__ == "__main__":
    main()
