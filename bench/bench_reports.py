"""The report builder at company scale: a two-dimension report over 1,000,000 deals against bare SQL.

    createdb -h 127.0.0.1 -U postgres kontora_bench_analytics
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kontora_bench_analytics \\
        .venv/bin/python -m bench.bench_reports [--deals 1000000] [--repeat 9]

The data comes from bench.analytics_data when it is there, else from bench.crm_data (an existing data set is
reused). The report: deals grouped by stage and by month of creation, with count and sum of amounts — the builder's
own query through the gate, then labels for the stages. Measured for an administrator (every deal) and for the head
of a sales department (his subtree), each call starting as a new request would (the user loaded afresh).

Figures (2026-12-07, a 2-core machine: 473 ms against 933 ms of bare SQL for the administrator, 271 against 279 ms
for the head, after kontora/analytics/builder/grouping.py) and what they say are in bench/README.md.
"""

import argparse

from bench.harness import report, setup_django

DEFINITION = {
    "dimensions": [{"field": "STAGE_ID"}, {"field": "DATE_CREATE", "bucket": "month"}],
    "measures": [{"function": "count"}, {"function": "sum", "field": "OPPORTUNITY"}],
    "chart": "bar",
}
GROUPED = (
    "SELECT d.stage_id, date_trunc('month', d.created_at AT TIME ZONE %s)::date, COUNT(*), SUM(d.amount) "
    "FROM crm_deal d WHERE d.deleted_at IS NULL{where} GROUP BY 1, 2 ORDER BY 1, 2"
)


def _data(deals: int):
    try:
        from bench import analytics_data as source
    except ImportError:
        from bench import crm_data as source
    return source.generate(deals)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--deals", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=9)
    args = parser.parse_args()
    setup_django()
    from django.conf import settings
    from django.db import connection

    from kontora.accounts import access
    from kontora.accounts.models import Level, User
    from kontora.analytics.builder import engine
    from kontora.crm.models import Deal

    data = _data(args.deals)
    admin = User.objects.filter(is_superuser=True).first() or User.objects.create_superuser(
        "bench-admin", "bench-admin@example.test", None
    )
    head_id = getattr(data, "head_id", None)
    print(f"{Deal.all_objects.count():,} deals")
    definition = engine.Definition.from_dict("deal", DEFINITION)

    def bare(where: str = "", params: tuple = ()) -> list[tuple]:
        with connection.cursor() as cursor:
            cursor.execute(GROUPED.format(where=where), [settings.TIME_ZONE, *params])
            return cursor.fetchall()

    def kontora(pk: int):
        return engine.run(User.objects.get(pk=pk), definition).rows

    rows = kontora(admin.pk)
    assert [(row.keys[0], row.keys[1], row.values[0]) for row in sorted(rows, key=lambda row: row.keys)] == [
        (stage, month, count) for stage, month, count, _total in bare()
    ], "the builder and the bare SQL disagree"
    print(f"{len(rows)} groups")
    report("two-dimension report, administrator (all deals)", lambda: kontora(admin.pk), bare, args.repeat)
    if head_id:
        people = access.context_for(User.objects.get(pk=head_id)).people(Level.SUBTREE)
        report(
            "two-dimension report, head of a department (his tree)",
            lambda: kontora(head_id),
            lambda: bare(" AND d.responsible_id = ANY(%s)", (people,)),
            args.repeat,
        )


if __name__ == "__main__":
    main()
