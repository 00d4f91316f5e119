"""Benchmark harness: time Kontora's way and the bare SQL doing the same work, report the ratio."""

import os
import statistics
import tempfile
import time
from collections.abc import Callable


def setup_django() -> None:
    """Embedded settings on a throw-away var dir, unless DATABASE_URL points at a prepared database."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kontora.settings")
    os.environ.setdefault("KONTORA_VAR_DIR", tempfile.mkdtemp(prefix="kontora-bench-"))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def median_seconds(work: Callable[[], object], repeat: int = 15) -> float:
    work()  # warm caches
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


def report(name: str, kontora: Callable[[], object], bare_sql: Callable[[], object], repeat: int = 15) -> float:
    ours, theirs = median_seconds(kontora, repeat), median_seconds(bare_sql, repeat)
    ratio = ours / theirs if theirs else float("inf")
    print(f"{name:<55} kontora {ours * 1000:9.2f} ms   bare SQL {theirs * 1000:9.2f} ms   ratio {ratio:5.2f}")
    return ratio
