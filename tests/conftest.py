"""Personas from a small company: an admin, a head with a sub-department, reps in three departments."""

from dataclasses import dataclass

import pytest
from django.conf import settings
from django.utils import translation

from kontora.accounts.models import Department, User
from tests import factories


@dataclass
class Org:
    board: Department
    sales: Department
    kazan: Department
    marketing: Department
    admin: User
    director: User
    sales_head: User
    sales_rep: User
    kazan_rep: User
    marketing_rep: User
    reader: User
    nobody: User

    def people(self) -> list[User]:
        return [
            self.admin,
            self.director,
            self.sales_head,
            self.sales_rep,
            self.kazan_rep,
            self.marketing_rep,
            self.reader,
            self.nobody,
        ]


def build_org() -> Org:
    board = factories.make_department("Board")
    sales = factories.make_department("Sales", parent=board)
    kazan = factories.make_department("Kazan", parent=sales)
    marketing = factories.make_department("Marketing", parent=board)
    return Org(
        board=board,
        sales=sales,
        kazan=kazan,
        marketing=marketing,
        admin=factories.make_user("admin", department=board, preset="administrator"),
        director=factories.make_head("director", board),
        sales_head=factories.make_head("oleg", sales),
        sales_rep=factories.make_user("anna", department=sales),
        kazan_rep=factories.make_user("elena", department=kazan),
        marketing_rep=factories.make_user("irina", department=marketing),
        reader=factories.make_user("viktor", department=marketing, preset="read_only"),
        nobody=factories.make_user("nobody", department=sales, preset=None),
    )


@pytest.fixture(autouse=True)
def _installation_language():
    """Every test starts in the installation's language: a page request leaves its user's language active."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture
def org(db) -> Org:
    return build_org()


@pytest.fixture
def admin(org) -> User:
    return org.admin


@pytest.fixture
def sales_head(org) -> User:
    return org.sales_head


@pytest.fixture
def sales_rep(org) -> User:
    return org.sales_rep


@pytest.fixture
def other_dept_rep(org) -> User:
    return org.marketing_rep
