"""Sales analytics at company scale: bench.crm_data's million deals plus more stage history, about 5 moves a deal.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kontora_bench_analytics \\
        .venv/bin/python -m bench.analytics_data [--deals 1000000]

bench.crm_data writes the deals with about three stage-history rows each (creation, maybe a stage between, where
the deal is now). Here every move into an in-progress stage also gets a detour, in one INSERT … SELECT: the deal
entered the target stage earlier, went back to where it came from, and came again — two more rows, still a
consistent path, so the "reached or passed" funnel is unchanged while the history grows to about five rows a deal.
An existing data set is reused; the detours are added once.
"""

import argparse
import time

from bench import crm_data
from bench.harness import setup_django

DETOUR = """
INSERT INTO crm_stagehistory (entity_type, entity_id, category_id, from_stage_id, to_stage_id, semantics, moved_at,
                              moved_by_id, seconds_in_previous, responsible_id)
SELECT h.entity_type, h.entity_id, h.category_id, step.from_stage, step.to_stage, s.semantics,
       h.moved_at - make_interval(secs => h.seconds_in_previous * step.share), h.moved_by_id,
       (h.seconds_in_previous / 4)::bigint, h.responsible_id
FROM crm_stagehistory h
CROSS JOIN LATERAL (VALUES (h.from_stage_id, h.to_stage_id, 0.5), (h.to_stage_id, h.from_stage_id, 0.25))
    AS step(from_stage, to_stage, share)
JOIN crm_status s ON s.id = step.to_stage
WHERE h.from_stage_id IS NOT NULL AND h.seconds_in_previous > 0 AND h.semantics = 'P'
"""


def generate(deals: int = 1_000_000) -> crm_data.Dataset:
    """The data set of bench.crm_data with about five stage-history rows a deal (made once)."""
    from django.db import connection, transaction

    dataset = crm_data.generate(deals)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM crm_stagehistory")
        rows = cursor.fetchone()[0]
        if rows >= 4 * dataset.deals:
            print(f"reusing the {rows:,} stage-history rows already there")
            return dataset
        started = time.perf_counter()
        with transaction.atomic():
            cursor.execute(DETOUR)
            added = cursor.rowcount
        cursor.execute("VACUUM ANALYZE crm_stagehistory")
        print(f"{added:,} detour moves added ({rows + added:,} in all): {time.perf_counter() - started:.1f} s")
    return dataset


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--deals", type=int, default=1_000_000)
    args = parser.parse_args()
    setup_django()
    generate(args.deals)


if __name__ == "__main__":
    main()
