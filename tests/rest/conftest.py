"""A webhook for each persona: `hook(user, scopes)` gives the base path /rest/{id}/{code}/."""

import pytest

from kontora.rest import services


@pytest.fixture
def hook(org):
    def make(user=None, scopes=("crm", "task", "user", "department", "im")) -> str:
        person = user or org.sales_rep
        _webhook, code = services.create_webhook(person, by=person, scopes=list(scopes))
        return f"/rest/{person.pk}/{code}/"

    return make
