"""REST at company scale: requests per second for crm.deal.get and a filtered crm.deal.list through the real HTTP
stack (a `kontora serve` process, keep-alive connections), beside the bare SQL doing the same work.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kontora_bench_crm \\
        .venv/bin/python -m bench.bench_rest [--seconds 10] [--workers 2] [--clients 4] [--interface asgi]

Uses the data set of bench.crm_data (generated on first use, reused afterwards) and the head of "Продажи Москва"
(≈300,000 visible deals) through an inbound webhook made for the run and deleted after it. Three ways of doing
each call:
- HTTP: POST /rest/{id}/{code}/crm.deal.get.json to the server, one client, then `--clients` clients at once;
- in-process: the same request through Django's test client (no server, no socket): what the HTTP server adds;
- bare SQL: the query that returns the same row(s) (the head's department subtree given, no auth, no JSON).
"""

import argparse
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

from bench import crm_data
from bench.harness import setup_django

ROOT = Path(__file__).resolve().parents[1]
VISIBLE = (
    "d.deleted_at IS NULL AND d.responsible_id IN "
    "(SELECT id FROM accounts_user WHERE id = %s OR department_id = ANY(%s))"
)
LIST_PARAMS = {
    "filter": {"STAGE_SEMANTIC_ID": "P", ">OPPORTUNITY": 4_000_000},
    "order": {"ID": "DESC"},
    "select": ["ID", "TITLE", "STAGE_ID", "OPPORTUNITY", "CURRENCY_ID", "ASSIGNED_BY_ID", "DATE_CREATE"],
}
GET_SQL = (
    "SELECT d.*, s.status_id, s.semantics, t.status_id, src.status_id, "
    "ARRAY(SELECT c.contact_id FROM crm_deal_contacts c WHERE c.deal_id = d.id ORDER BY c.contact_id) "
    "FROM crm_deal d JOIN crm_status s ON s.id = d.stage_id LEFT JOIN crm_status t ON t.id = d.deal_type_id "
    f"LEFT JOIN crm_status src ON src.id = d.source_id WHERE d.id = %s AND {VISIBLE}"  # noqa: S608
)
LIST_WHERE = f"s.semantics = 'P' AND d.amount > 4000000 AND {VISIBLE}"  # noqa: S608
LIST_COUNT_SQL = f"SELECT count(*) FROM crm_deal d JOIN crm_status s ON s.id = d.stage_id WHERE {LIST_WHERE}"  # noqa: S608
LIST_PAGE_SQL = (
    "SELECT d.id, d.title, s.status_id, d.amount, d.currency, d.responsible_id, d.created_at "
    f"FROM crm_deal d JOIN crm_status s ON s.id = d.stage_id WHERE {LIST_WHERE} ORDER BY d.id DESC LIMIT 50"  # noqa: S608
)


def rate(work: Callable[[int], object], seconds: float) -> tuple[float, float]:
    """Calls per second and the median latency (ms) of `work(n)` repeated for `seconds`."""
    work(0)  # warm up
    latencies = []
    deadline = time.perf_counter() + seconds
    number = 1
    while time.perf_counter() < deadline:
        started = time.perf_counter()
        work(number)
        latencies.append(time.perf_counter() - started)
        number += 1
    return len(latencies) / sum(latencies), statistics.median(latencies) * 1000


class Connection:
    """One keep-alive HTTP connection posting JSON to the webhook's methods; every answer must be a 200."""

    def __init__(self, port: int, base: str) -> None:
        self.http = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.base = base

    def call(self, method: str, params: dict) -> dict:
        body = json.dumps(params)
        try:
            self.http.request("POST", f"{self.base}{method}.json", body, {"Content-Type": "application/json"})
        except (BrokenPipeError, ConnectionResetError):  # the server closed the connection while it was idle
            self.http.close()
            self.http.request("POST", f"{self.base}{method}.json", body, {"Content-Type": "application/json"})
        response = self.http.getresponse()
        payload = response.read()
        if response.status != 200:
            raise RuntimeError(f"{method}: {response.status} {payload[:300]!r}")
        return json.loads(payload)


def concurrent_rate(port: int, base: str, request: Callable[[Connection, int], object], clients: int,
                    seconds: float) -> float:  # fmt: skip
    """Requests per second of `clients` connections sending at once for `seconds`."""
    counts = [0] * clients
    start = threading.Barrier(clients + 1)
    stop = threading.Event()

    def client(index: int) -> None:
        connection = Connection(port, base)
        request(connection, index)
        start.wait()
        number = index * 1_000_000
        while not stop.is_set():
            request(connection, number)
            counts[index] += 1
            number += 1

    threads = [threading.Thread(target=client, args=(index,)) for index in range(clients)]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    time.sleep(seconds)
    stop.set()
    for thread in threads:
        thread.join()
    return sum(counts) / (time.perf_counter() - began)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(port: int, workers: int, interface: str) -> subprocess.Popen:
    env = {**os.environ, "KONTORA_VAR_DIR": tempfile.mkdtemp(prefix="kontora-bench-rest-"), "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "kontora", "serve", "--port", str(port), "--workers", str(workers),
               "--interface", interface]  # fmt: skip
    server = subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
                              start_new_session=True)  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/rest/server.time", timeout=2).close()  # noqa: S310
        except urllib.error.HTTPError:
            return server  # 401: up and answering
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.3)
            continue
        return server
    server.kill()
    raise RuntimeError("the server did not start")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--deals", type=int, default=1_000_000)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--interface", choices=["asgi", "wsgi"], default="asgi")
    args = parser.parse_args()
    setup_django()
    from django.db import connection
    from django.test import Client

    from kontora.accounts import access
    from kontora.accounts.models import User
    from kontora.rest import services
    from kontora.rest.models import Webhook

    data = crm_data.generate(args.deals)
    head = User.objects.get(pk=data.head_id)
    visible_args = [head.pk, sorted(access.context_for(head).department_tree)]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT d.id FROM crm_deal d WHERE {VISIBLE} AND d.id %% 101 = 0 ORDER BY d.id LIMIT 2000",  # noqa: S608
                       visible_args)  # fmt: skip
        deal_ids = [row[0] for row in cursor.fetchall()]
    webhook, code = services.create_webhook(head, by=head, scopes=["crm"], title="bench_rest")
    base = f"/rest/{head.pk}/{code}/"
    port = free_port()
    server = start_server(port, args.workers, args.interface)
    try:
        print(f"{data.deals:,} deals; {head} sees {len(visible_args[1])} departments; granian {args.interface}, "
              f"{args.workers} worker(s); {args.seconds:.0f} s per figure")  # fmt: skip
        one = Connection(port, base)
        listed = one.call("crm.deal.list", LIST_PARAMS)
        print(f"crm.deal.list: total {listed['total']:,}, {len(listed['result'])} rows a page")
        inside = Client(HTTP_HOST="127.0.0.1")

        def post_inside(method: str, params: dict) -> None:
            response = inside.post(f"{base}{method}.json", json.dumps(params), content_type="application/json")
            if response.status_code != 200:
                raise RuntimeError(f"{method}: {response.status_code} {response.content[:300]!r}")

        def sql(statements: list[tuple[str, list]]) -> None:
            with connection.cursor() as cursor:
                for statement, params in statements:
                    cursor.execute(statement, params)
                    cursor.fetchall()

        calls = {
            "crm.deal.get (one deal by id)": (
                lambda n: {"id": deal_ids[n % len(deal_ids)]},
                "crm.deal.get",
                lambda n: [(GET_SQL, [deal_ids[n % len(deal_ids)], *visible_args])],
            ),
            "crm.deal.list (in progress, > 4 M, -ID, 7 fields, page 1 + total)": (
                lambda n: LIST_PARAMS,
                "crm.deal.list",
                lambda n: [(LIST_COUNT_SQL, visible_args), (LIST_PAGE_SQL, visible_args)],
            ),
        }
        for name, (params, method, statements) in calls.items():
            http_rate, http_ms = rate(lambda n, p=params, m=method: one.call(m, p(n)), args.seconds)
            many = concurrent_rate(port, base, lambda c, n, p=params, m=method: c.call(m, p(n)), args.clients,
                                   args.seconds)  # fmt: skip
            inside_rate, inside_ms = rate(lambda n, p=params, m=method: post_inside(m, p(n)), args.seconds)
            sql_rate, sql_ms = rate(lambda n, s=statements: sql(s(n)), args.seconds)
            print(f"{name}\n    HTTP, 1 client {http_rate:8.1f}/s ({http_ms:.2f} ms)   HTTP, {args.clients} clients "
                  f"{many:8.1f}/s   in-process {inside_rate:8.1f}/s ({inside_ms:.2f} ms)   bare SQL "
                  f"{sql_rate:8.1f}/s ({sql_ms:.2f} ms)   ratio {sql_rate / http_rate:5.2f}")  # fmt: skip
    finally:
        os.killpg(server.pid, 15)
        server.wait(timeout=30)
        Webhook.objects.filter(pk=webhook.pk).delete()


if __name__ == "__main__":
    main()
