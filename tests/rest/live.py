"""A live Kontora for the real Bitrix24 clients: the web server `kontora serve` runs, on the test database.

fast_bitrix24 gets it over plain http. b24pysdk speaks only https, so its server has a self-signed certificate
for 127.0.0.1 (granian's `GRANIAN_SSL_*` settings) and the test points `REQUESTS_CA_BUNDLE` at it.
Each test gets its own server, which reads what the (transactional) test commits.

Test modules load these fixtures with `pytest_plugins = ["tests.rest.live"]`.
"""

import asyncio
import datetime
import ipaddress
import ssl
import subprocess
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.db import transaction

from tests.support.processes import ROOT, Process, free_port, process_env, wait_for

SCOPES = ("crm", "task", "user", "department", "im")


@dataclass(frozen=True)
class Live:
    """One live server: its base URL (http://127.0.0.1:PORT or https://…) and its log."""

    base: str
    log: Path

    @property
    def domain(self) -> str:
        """127.0.0.1:PORT, as b24pysdk's BitrixWebhook wants it."""
        return self.base.split("://", 1)[1]


@dataclass(frozen=True)
class Hook:
    """An inbound webhook: `token` is b24pysdk's "ID/CODE"."""

    user_id: int
    code: str

    @property
    def token(self) -> str:
        return f"{self.user_id}/{self.code}"


def make_certificate(directory: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (and localhost) and its PKCS#8 key, as granian needs it."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=7))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_path, key_path


class Server(Process):
    """The command `kontora serve` execs (granian, ASGI, one worker) started directly: collectstatic, which serve
    runs first, costs seconds per test and the API needs no static files."""

    def __init__(self, port: int, env: dict[str, str], log: Path) -> None:
        from kontora.core.management.commands.serve import granian_command

        self.log = log
        self._log_file = open(log, "ab")  # noqa: SIM115  closed in stop()
        command = granian_command("asgi", "127.0.0.1", port)
        self.popen = subprocess.Popen(
            command, env=env, cwd=ROOT, stdout=self._log_file, stderr=subprocess.STDOUT, start_new_session=True
        )


def answers(url: str, context: ssl.SSLContext | None = None) -> bool:
    """Whether Kontora answers at `url` (an error status counts: the app is loaded and up)."""
    try:
        with urllib.request.urlopen(url, timeout=5, context=context):
            return True
    except urllib.error.HTTPError:
        return True
    except (urllib.error.URLError, ConnectionError, TimeoutError, ssl.SSLError):
        return False


@contextmanager
def serving(tmp_path: Path, *, tls: tuple[Path, Path] | None = None) -> Iterator[Live]:
    """A server on the test database for one test, its log printed afterwards (pytest shows it if the test fails).

    Per test, as the e2e servers are: a transactional test's flush re-creates the content types under new ids,
    and a server living across tests would keep the old ones in Django's ContentType cache."""
    port = free_port()
    extra = {"GRANIAN_SSL_CERTIFICATE": str(tls[0]), "GRANIAN_SSL_KEYFILE": str(tls[1])} if tls else {}
    scheme = "https" if tls else "http"
    base = f"{scheme}://127.0.0.1:{port}"
    server = Server(port, process_env("embedded", tmp_path, **extra), tmp_path / f"{scheme}.log")
    context = ssl.create_default_context(cafile=tls[0]) if tls else None
    try:
        try:
            wait_for(lambda: answers(f"{base}/rest/server.time", context) or server.popen.poll() is not None,
                     timeout=60, what=base)  # fmt: skip
        except AssertionError:
            raise AssertionError(f"the web server at {base} did not answer:\n{server.output()}") from None
        assert server.popen.poll() is None, "the web server exited:\n" + server.output()
        yield Live(base, server.log)
    finally:
        server.stop()
        print(f"--- {server.log.name} ---\n{server.output().strip()}")  # noqa: T201  shown when the test fails


@pytest.fixture(scope="session")
def tls_certificate(tmp_path_factory) -> tuple[Path, Path]:
    return make_certificate(tmp_path_factory.mktemp("tls"))


@pytest.fixture
def live_http(transactional_db, org, tmp_path) -> Iterator[Live]:
    """Kontora over plain http, on the test database; `org` is committed where it can see it."""
    with serving(tmp_path) as live:
        yield live


@pytest.fixture
def live_https(transactional_db, org, tmp_path, tls_certificate) -> Iterator[Live]:
    """Kontora over https with a self-signed certificate for 127.0.0.1."""
    with serving(tmp_path, tls=tls_certificate) as live:
        yield live


@pytest.fixture
def live_hook(transactional_db, org) -> Callable[..., Hook]:
    """`live_hook(user)`: a new inbound webhook (crm, task, user, department, im) of that user (default anna)."""
    from kontora.rest import services

    def make(user=None, scopes: tuple[str, ...] = SCOPES) -> Hook:
        person = user or org.sales_rep
        _hook, code = services.create_webhook(person, by=person, scopes=list(scopes))
        return Hook(person.pk, code)

    return make


@pytest.fixture
def b24(live_https, live_hook, tls_certificate, monkeypatch) -> Callable[..., object]:
    """`b24(user)`: a b24pysdk client over https, in webhook mode, trusting the test certificate."""
    from b24pysdk import BitrixWebhook, Client

    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(tls_certificate[0]))

    def make(user=None, *, token: str | None = None):
        return Client(BitrixWebhook(domain=live_https.domain, webhook_token=token or live_hook(user).token))

    return make


@pytest.fixture
def fast(live_http, live_hook) -> Iterator[Callable[..., object]]:
    """`fast(user)`: a fast_bitrix24 client over plain http, without its throttling.

    Its synchronous face asks asyncio for the current event loop, which Python 3.13 deprecates when there is none;
    the test gets a loop of its own, closed afterwards."""
    from fast_bitrix24 import Bitrix

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)

    def make(user=None, *, url: str | None = None):
        hook = live_hook(user) if url is None else None
        url = url or f"{live_http.base}/rest/{hook.user_id}/{hook.code}/"
        return Bitrix(url, verbose=False, request_pool_size=1000, requests_per_second=1000.0)

    yield make
    asyncio.set_event_loop(None)
    loop.close()


def _deals(count: int, *, by, title: str = "Bulk") -> list[int]:
    from kontora.crm.services.deals import create_deal

    with transaction.atomic():
        return [create_deal(by=by, title=f"{title} {number}").pk for number in range(1, count + 1)]


def _tasks(count: int, *, by, title: str = "Task") -> list[int]:
    from kontora.tasks.services.tasks import create_task

    with transaction.atomic():
        return [create_task(by=by, title=f"{title} {number}").pk for number in range(1, count + 1)]


@pytest.fixture
def bulk_deals(transactional_db) -> Callable[..., list[int]]:
    """`bulk_deals(count, by=user)`: deals made through the CRM service in one transaction (as users would, only
    faster); their ids."""
    return _deals


@pytest.fixture
def bulk_tasks(transactional_db) -> Callable[..., list[int]]:
    """`bulk_tasks(count, by=user)`: tasks made through the tasks service in one transaction; their ids."""
    return _tasks


@pytest.fixture
def own_deals_employee(transactional_db, org):
    """A sales employee whose only role lets him see and change his own deals, and nothing else."""
    from kontora.accounts.models import Level
    from tests.factories import make_user
    from tests.support.access_matrix import custom_role

    role = custom_role("Only own deals", "crm.deal", dict.fromkeys(("read", "add", "update", "delete"), Level.OWN))
    person = make_user("loner", department=org.sales, preset=None)
    person.roles.set([role])
    return person
