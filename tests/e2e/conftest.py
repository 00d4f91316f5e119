"""Browser tests: a live Kontora (web server + worker, embedded mode) driven by Debian's Chromium via Playwright."""

import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.db import connections
from playwright.sync_api import Browser, ConsoleMessage, Page, sync_playwright

from tests.support.processes import Process, free_port, process_env, wait_for

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
DEMO_PASSWORD = "Kontora-demo-2026"
HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Every test in this folder is an e2e test; without Chromium the whole leg is skipped, not failed."""
    skip = pytest.mark.skip(reason=f"Debian's Chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    for item in items:
        if HERE not in item.path.parents:
            continue
        item.add_marker(pytest.mark.e2e)
        if not CHROMIUM.exists():
            item.add_marker(skip)


def elsewhere[T](work: Callable[[], T]) -> T:
    """Run ORM work from the test process while a page is open, as another process of the company would.

    Playwright's sync API keeps an event loop running in this thread, so Django refuses queries here
    (SynchronousOnlyOperation). A short-lived thread has no loop; its connection is closed when it is done,
    so no session is left behind to block dropping the PostgreSQL test database.
    """

    def run() -> T:
        try:
            return work()
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(run).result(timeout=60)


@pytest.fixture
def demo_company(transactional_db) -> dict[str, str]:
    """The demo company's people (not its CRM data, which a test builds as it needs); logins → password."""
    from kontora.accounts import demo

    return {login: password for login, password, _ in demo.build(DEMO_PASSWORD)}


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


@pytest.fixture
def live_kontora(transactional_db, demo_company, tmp_path) -> Iterator[str]:
    """`kontora serve` and `kontora worker` in embedded mode on the test database; yields the base URL."""
    env = process_env("embedded", tmp_path)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = Process(["serve", "--port", str(port)], env, tmp_path / "serve.log")
    worker = Process(["worker"], env, tmp_path / "worker.log")
    try:
        try:
            wait_for(lambda: answers(f"{base}/login/") or server.popen.poll() is not None, timeout=30)
        except AssertionError:
            raise AssertionError(f"the web server at {base} did not answer:\n{server.output()}") from None
        assert server.popen.poll() is None, "the web server exited:\n" + server.output()
        assert worker.popen.poll() is None, "the worker exited:\n" + worker.output()
        yield base
    finally:
        server.stop()
        worker.stop()


@pytest.fixture
def browser(live_kontora) -> Iterator[Browser]:
    """Chromium for one test; started after the database and servers are ready and closed before they go.

    Function-scoped on purpose: while Playwright runs, this process has a running event loop and Django's
    ORM refuses to work, which would break the flush of the transactional database between tests.
    """
    playwright = sync_playwright().start()
    chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
    try:
        yield chromium
    finally:
        chromium.close()
        playwright.stop()


def console_errors(page: Page, message: ConsoleMessage) -> list[str]:
    """Errors the browser logged, except the favicon the app does not have (yet)."""
    source = message.location.get("url", "")
    if message.type != "error" or source.endswith("/favicon.ico"):
        return []
    return [f"{page.url}: {message.text} ({source})"]


@pytest.fixture
def page(browser, live_kontora) -> Iterator[Page]:
    context = browser.new_context(base_url=live_kontora, locale="ru-RU", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(f"{page.url}: {error}"))
    page.on("console", lambda message: errors.extend(console_errors(page, message)))
    yield page
    context.close()
    assert not errors, "errors in the browser console:\n" + "\n".join(errors)


def login(page: Page, base: str, username: str, password: str) -> None:
    """Sign in through the login form and wait until the app has left the login page."""
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.locator("form:has(input[name=password]) button[type=submit]").click()
    page.wait_for_url(lambda url: "/login/" not in url)


@pytest.fixture
def sign_in(page, live_kontora, demo_company) -> Callable[[str], None]:
    """`sign_in("anna")`: log a demo user in on `page`."""

    def sign_in(username: str) -> None:
        login(page, live_kontora, username, demo_company[username])

    return sign_in
