"""CRM screens at company scale: Kontora's selectors (gate, ORM) against bare SQL returning the same rows.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kontora_bench_crm \\
        .venv/bin/python -m bench.bench_crm [--deals 1000000] [--repeat 15]

Generates the data set with bench.crm_data on first use (an existing one is reused). Every Kontora measurement
starts as a new request would: the head is loaded afresh, so the gate resolves roles, grants and the department tree
each time. The bare SQL gets the head's department subtree for free, as in bench_access.
"""

import argparse
import re
from decimal import Decimal

from bench import crm_data
from bench.harness import median_seconds, report, setup_django

PHONE_QUERY = "8 916 123-45-67"
AMOUNT_OVER = Decimal(4_000_000)
# What a head may read, by hand: deals not in the bin whose responsible is the head or in the head's departments.
VISIBLE = (
    "d.deleted_at IS NULL AND d.responsible_id IN "
    "(SELECT id FROM accounts_user WHERE id = %s OR department_id = ANY(%s))"
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--deals", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    setup_django()
    from django.db import connection

    from kontora.accounts import access
    from kontora.accounts.models import User
    from kontora.crm import search, selectors
    from kontora.crm.choices import Semantics
    from kontora.crm.models import Category

    data = crm_data.generate(args.deals)
    head_id = data.head_id
    head = User.objects.get(pk=head_id)
    departments = sorted(access.context_for(head).department_tree)
    visible_args = [head_id, departments]
    print(f"{data.deals:,} deals; the head of {head.department} sees {len(departments)} departments")

    fixed = median_seconds(lambda: selectors.visible_deals(User.objects.get(pk=head_id)), args.repeat)
    print(f"the gate's fixed cost per request (user, roles, grants, department tree, pipelines): {fixed * 1000:.2f} ms")
    warm = User.objects.get(pk=head_id)
    access.context_for(warm)

    def measure(name: str, kontora, bare) -> None:
        """As a new request would, and again with the gate already resolved: what is left is the query's shape."""
        report(name, kontora, bare, args.repeat)
        report("    the same with the gate warm", lambda: kontora(warm), bare, args.repeat)

    def fetch(sql: str, params: list) -> list[tuple]:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    def fetch_rows(sql: str, params: list, *columns: str) -> list[tuple]:
        """Whole rows, as the ORM fetches them; then the named columns (first of each name) of every row."""
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            names: dict[str, int] = {}
            for position, column in enumerate(cursor.description):
                names.setdefault(column.name, position)
            return [tuple(row[names[column]] for column in columns) for row in cursor.fetchall()]

    # (a) The kanban's first screen: every column's count and sum, and its first page with the next activity.
    def kontora_kanban(user=None) -> list:
        user = user or User.objects.get(pk=head_id)  # a new request, unless the gate is warm
        category = Category.objects.get(pk=0)
        screen = []
        for column in selectors.stage_columns(user, category):
            deals = selectors.deals_in_stage(user, column["stage"])
            cards = [
                (
                    deal.pk,
                    deal.title,
                    deal.amount,
                    deal.company.title if deal.company else None,
                    deal.responsible.last_name,
                    deal.next_activity.pk if deal.next_activity else None,
                )
                for deal in deals
            ]
            screen.append((column["stage"].pk, column["count"], column["total"], cards))
        return screen

    def bare_kanban() -> list:
        stages = fetch(
            "SELECT id FROM crm_status WHERE category_id = 0 AND entity_id = 'DEAL_STAGE' ORDER BY sort, id", []
        )
        totals = {
            stage: (count, total)
            for stage, count, total in fetch(
                f"SELECT d.stage_id, count(*), sum(d.amount) FROM crm_deal d WHERE d.category_id = 0 AND {VISIBLE} "  # noqa: S608
                "GROUP BY d.stage_id",
                visible_args,
            )
        }
        screen = []
        for (stage,) in stages:
            rows = fetch_rows(
                "SELECT d.*, u.*, c.*, c.title AS company_title, u.last_name AS responsible_name FROM crm_deal d "
                "JOIN accounts_user u ON u.id = d.responsible_id LEFT JOIN crm_company c ON c.id = d.company_id "
                f"WHERE d.category_id = 0 AND d.stage_id = %s AND {VISIBLE} ORDER BY d.id DESC LIMIT 20",  # noqa: S608
                [stage, *visible_args],
                *("id", "title", "amount", "company_title", "responsible_name"),
            )
            upcoming = dict(
                fetch_rows(
                    "SELECT DISTINCT ON (owner_id) * FROM crm_activity WHERE owner_type = 2 "
                    "AND owner_id = ANY(%s) AND NOT completed ORDER BY owner_id, deadline, id",
                    [[row[0] for row in rows]],
                    *("owner_id", "id"),
                )
            )
            count, total = totals.get(stage, (0, None))
            screen.append((stage, count, total or 0, [(*row, upcoming.get(row[0])) for row in rows]))
        return screen

    assert kontora_kanban() == bare_kanban()
    measure("(a) kanban first screen of a head (8 columns)", kontora_kanban, bare_kanban)

    # (b) Open deals with nothing planned, first page of 50.
    def kontora_forgotten(user=None) -> list:
        user = user or User.objects.get(pk=head_id)
        return [(deal.pk, deal.title) for deal in selectors.deals_without_activities(user).order_by("-id")[:50]]

    def bare_forgotten() -> list:
        return fetch_rows(
            f"SELECT d.* FROM crm_deal d WHERE NOT d.closed AND {VISIBLE} AND NOT EXISTS "  # noqa: S608
            "(SELECT 1 FROM crm_activity a WHERE a.owner_type = 2 AND a.owner_id = d.id AND NOT a.completed) "
            "ORDER BY d.id DESC LIMIT 50",
            visible_args,
            *("id", "title"),
        )

    assert kontora_forgotten() == bare_forgotten()
    measure("(b) deals without activities, first 50", kontora_forgotten, bare_forgotten)

    # (c) Global search by a phone typed in another format than it was stored in.
    def kontora_search(user=None) -> list:
        user = user or User.objects.get(pk=head_id)
        return sorted(hit["title"] for hit in search.search(user, PHONE_QUERY, 20))

    def bare_search() -> list:
        digits = re.sub(r"\D", "", PHONE_QUERY)
        number = "+7" + digits[-10:]
        rows = fetch(
            "SELECT concat_ws(' ', nullif(d.first_name, ''), nullif(d.middle_name, ''), nullif(d.last_name, '')) "
            "FROM crm_multifield m JOIN crm_contact d ON d.id = m.entity_id "
            f"WHERE m.type_id = 'PHONE' AND m.normalized = %s AND m.entity_type = 3 AND {VISIBLE} "  # noqa: S608
            "UNION ALL SELECT d.title FROM crm_multifield m JOIN crm_company d ON d.id = m.entity_id "
            f"WHERE m.type_id = 'PHONE' AND m.normalized = %s AND m.entity_type = 4 AND {VISIBLE} "
            "UNION ALL SELECT d.title FROM crm_multifield m JOIN crm_lead d ON d.id = m.entity_id "
            f"WHERE m.type_id = 'PHONE' AND m.normalized = %s AND m.entity_type = 1 AND {VISIBLE}",
            [number, *visible_args] * 3,
        )
        return sorted(title for (title,) in rows)[:20]

    found = kontora_search()
    assert found and found == bare_search(), (found, bare_search())
    measure(f"(c) search by phone {PHONE_QUERY!r} ({len(found)} hits)", kontora_search, bare_search)

    # (d) A filtered list page: in-progress deals over an amount, newest first, 50.
    def kontora_list(user=None) -> list:
        user = user or User.objects.get(pk=head_id)
        deals = selectors.visible_deals(user).filter(stage__semantics=Semantics.PROCESS, amount__gt=AMOUNT_OVER)
        return [(deal.pk, deal.title, deal.amount) for deal in deals.order_by("-id")[:50]]

    def bare_list() -> list:
        return fetch_rows(
            "SELECT d.* FROM crm_deal d JOIN crm_status s ON s.id = d.stage_id "
            f"WHERE s.semantics = 'P' AND d.amount > %s AND {VISIBLE} ORDER BY d.id DESC LIMIT 50",  # noqa: S608
            [AMOUNT_OVER, *visible_args],
            *("id", "title", "amount"),
        )

    assert kontora_list() == bare_list()
    measure("(d) in-progress deals over 4,000,000 ₽, first 50", kontora_list, bare_list)


if __name__ == "__main__":
    main()
