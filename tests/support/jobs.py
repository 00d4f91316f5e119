"""Jobs that leave traces a test can read from another process."""

import os
import time

from django.tasks import task


@task
def record_run(path: str, label: str, seconds: float = 0) -> int:
    """Sleep, then append "label pid" to `path`; the file says which process ran the job and how often."""
    time.sleep(seconds)
    with open(path, "a") as trace:
        trace.write(f"{label} {os.getpid()}\n")
    return os.getpid()
