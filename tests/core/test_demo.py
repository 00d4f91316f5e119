"""The demo company: a believable org tree with heads and roles, logins printed once."""

import pytest
from django.core.management import CommandError, call_command

from kontora.accounts import access
from kontora.accounts.models import Department, User
from kontora.core import demo
from kontora.core.registry import registry


@pytest.fixture(autouse=True)
def people_only():
    """These tests are about the command and the org; the CRM's own demo is tested in tests/crm/test_demo.py."""
    crm = registry.items("demo").get("crm")
    registry.unregister("demo", "crm")
    yield
    if crm is not None:
        registry.register("demo", "crm", crm)


def test_demo_builds_the_company_and_writes_logins_once(db, settings, capsys):
    call_command("demo", password="Demo-pass-2026")

    out = capsys.readouterr().out
    assert "anna" in out and "Demo-pass-2026" in out
    assert 12 <= User.objects.count() <= 14
    assert 4 <= Department.objects.count() <= 8
    logins = settings.VAR_DIR / "demo-logins.txt"
    assert "oleg" in logins.read_text()
    assert oct(logins.stat().st_mode & 0o777) == "0o600"
    with pytest.raises(CommandError):
        call_command("demo")


def test_demo_tree_matches_the_scenarios(db):
    demo.build("Demo-pass-2026")
    oleg = User.objects.get(username="oleg")
    kazan = Department.objects.get(name="Отдел продаж (Казань)")

    assert kazan.parent.head == oleg
    assert User.objects.get(username="anna").department == oleg.department
    assert oleg.check_password("Demo-pass-2026")
    assert User.objects.get(username="elena") in access.visible(oleg, User, "export")
    assert User.objects.get(username="irina") not in access.visible(oleg, User, "export")


def test_demo_random_passwords_differ(db):
    logins = demo.build(None)

    assert len({password for _, password, _ in logins}) == len(logins)
