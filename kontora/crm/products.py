"""Reads behind the product catalogue: sections as a tree, products by section with search, the deal-row picker."""

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from kontora.accounts import access
from kontora.accounts.models import Role, User
from kontora.accounts.selectors import is_administrator
from kontora.core.errors import NotFound
from kontora.core.textsearch import contains_ci
from kontora.crm.models import Product, ProductSection


def can_manage(user: User) -> bool:
    """Administrators and heads of department keep the catalogue; everyone else reads it."""
    if not user.is_authenticated:
        return False
    return is_administrator(user) or Role.Preset.HEAD in access.context_for(user).presets


@dataclass(frozen=True)
class SectionNode:
    section: ProductSection
    depth: int


def section_tree() -> list[SectionNode]:
    """Every section in tree order (parents before their children, siblings by name), with its depth."""
    sections = list(ProductSection.objects.order_by("name", "id"))
    children: dict[int | None, list[ProductSection]] = {}
    for section in sections:
        children.setdefault(section.parent_id, []).append(section)
    result: list[SectionNode] = []
    seen: set[int] = set()

    def walk(parent_id: int | None, depth: int) -> None:
        for section in children.get(parent_id, []):
            if section.pk in seen:
                continue
            seen.add(section.pk)
            result.append(SectionNode(section, depth))
            walk(section.pk, depth + 1)

    walk(None, 0)
    return result


def section_and_below(section: ProductSection) -> list[int]:
    """The section's id and the ids of every section under it."""
    parents = dict(ProductSection.objects.values_list("pk", "parent_id"))
    found = {section.pk}
    changed = True
    while changed:
        changed = False
        for pk, parent_id in parents.items():
            if parent_id in found and pk not in found:
                found.add(pk)
                changed = True
    return sorted(found)


def catalogue(
    user: User, *, section: ProductSection | None = None, query: str = "", inactive: bool = False
) -> QuerySet[Product]:
    """Products of a section (and its subsections) matching every word of `query`; inactive ones only on request
    of those who keep the catalogue."""
    if not user.is_authenticated:
        return Product.objects.none()
    products = Product.objects.select_related("section")
    if not (inactive and can_manage(user)):
        products = products.filter(active=True)
    if section is not None:
        products = products.filter(section_id__in=section_and_below(section))
    for word in query.split():
        products = products.filter(contains_ci(["name", "description"], word))
    return products.order_by("name", "id")


def active_products(keep: int | None = None) -> QuerySet[Product]:
    """What a deal's product row may be picked from; `keep` is the row's current product, even if inactive."""
    condition = Q(active=True) | Q(pk=keep) if keep else Q(active=True)
    return Product.objects.filter(condition).order_by("name", "id")


def product(user: User, pk: int) -> Product:
    """One product for the catalogue page; inactive ones only for those who keep the catalogue."""
    found = catalogue(user, inactive=True).filter(pk=pk).first()
    if found is None:
        raise NotFound()
    return found


def section(pk: int) -> ProductSection:
    found = ProductSection.objects.filter(pk=pk).first()
    if found is None:
        raise NotFound()
    return found
