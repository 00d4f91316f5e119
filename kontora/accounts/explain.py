"""“Why can I see this?”: the roles, levels and departments that let a user act on one record, in plain words."""

from django.db import models
from django.utils import translation
from django.utils.translation import gettext as _

from kontora.accounts import access
from kontora.accounts.models import Department, Level, Role, User
from kontora.accounts.roles import ACTION_LABELS, SCOPED_ENTITIES, entity_label, scope_label
from kontora.core.registry import registry


def scope_of(entity: access.EntityType, obj: models.Model) -> str:
    """The slice a record is granted by: a deal's pipeline (as `crm.services.common.scope_for` names it)."""
    category_id = getattr(obj, "category_id", None)
    return f"category:{category_id}" if entity.key in SCOPED_ENTITIES and category_id is not None else ""


def find(user: User, entity_key: str, pk: int, action: str = "read") -> models.Model | None:
    """The record, if the user may act on it; None when it is missing, forbidden or the entity type is unknown."""
    entity = registry.items("entities").get(entity_key)
    if entity is None or action not in entity.actions:
        return None
    obj = entity.model._default_manager.filter(pk=pk).first()
    if obj is None or not access.can(user, action, obj, scope=scope_of(entity, obj)):
        return None
    return obj


def _role_reasons(user: User, entity: access.EntityType, action: str, scope: str) -> list[str]:
    what = {"action": ACTION_LABELS.get(action, action), "entity": entity_label(entity)}
    reasons = []
    for role in user.roles.prefetch_related("grants").order_by("name"):
        if role.preset != Role.Preset.CUSTOM:
            level = entity.preset_level(role.preset, action)
            if level > Level.NONE:
                reasons.append(
                    _("Your role “%(role)s” gives “%(level)s” for “%(action)s” on %(entity)s.")
                    % {**what, "role": role, "level": level.label}
                )
        for grant in role.grants.all():
            if grant.entity != entity.key or grant.action != action or grant.scope not in ("", scope):
                continue
            if grant.level == Level.NONE:
                continue
            values = {**what, "role": role, "level": Level(grant.level).label}
            if grant.scope:
                values["scope"] = scope_label(grant.scope)
                reasons.append(
                    _("Your role “%(role)s” grants “%(level)s” for “%(action)s” on %(entity)s in “%(scope)s”.") % values
                )
            else:
                reasons.append(_("Your role “%(role)s” grants “%(level)s” for “%(action)s” on %(entity)s.") % values)
    if not reasons:
        reasons.append(_("None of your roles gives “%(action)s” on %(entity)s.") % what)
    return reasons


def _owner_reason(user: User, ctx: access.AccessContext, entity: access.EntityType, obj: models.Model):
    """A sentence about who owns the record, and the least level that reaches it."""
    owner_id = entity.owner_id(obj)
    if owner_id == user.pk:
        return _("You are responsible for it.") if entity.owner else _("It is your own profile."), Level.OWN
    owner = User.objects.filter(pk=owner_id).select_related("department").first() if owner_id else None
    if owner is None:
        return _("It has no responsible person."), Level.ALL
    names = {"name": owner.full_name, "department": owner.department}
    if owner.department_id is None:
        return _("Its responsible person, %(name)s, belongs to no department.") % names, Level.ALL
    if owner.department_id in ctx.departments:
        if owner.department_id == user.department_id:
            return _("Its responsible person, %(name)s, is in your department “%(department)s”.") % names, (
                Level.DEPARTMENT
            )
        return _("Its responsible person, %(name)s, is in “%(department)s”, a department you head.") % names, (
            Level.DEPARTMENT
        )
    if owner.department_id in ctx.department_tree:
        tree = access.DepartmentTree.load()
        above = next((pk for pk in tree.ancestors(owner.department_id)[1:] if pk in ctx.departments), None)
        names["parent"] = Department.objects.filter(pk=above).first() if above else ""
        return _("Its responsible person, %(name)s, is in “%(department)s”, a sub-department of “%(parent)s”.") % (
            names
        ), Level.SUBTREE
    return _("Its responsible person, %(name)s, is in “%(department)s”, outside your departments.") % names, Level.ALL


def explain(user: User, obj: models.Model, action: str = "read", *, language: str | None = None) -> list[str]:
    """Why the user may (or may not) do `action` to `obj`, sentence by sentence, in the user's language

    (or in `language`, when an administrator reads the explanation for someone else).
    """
    with translation.override(language or getattr(user, "language", None) or translation.get_language()):
        ctx = access.context_for(user)
        if not ctx.active:
            return [_("Your account is inactive, so you have no access.")]
        if ctx.superuser:
            return [_("You are a superuser: you may do everything.")]
        entity = access.entity_for(obj)
        scope = scope_of(entity, obj)
        level = ctx.level(entity, action, scope)
        reasons = _role_reasons(user, entity, action, scope)
        reasons.append(_("Together your level is “%(level)s”.") % {"level": level.label})
        owner_reason, needed = _owner_reason(user, ctx, entity, obj)
        reasons.append(owner_reason)
        if access.can(user, action, obj, scope=scope):
            reasons.append(_("So you may do this."))
        else:
            reasons.append(_("So you may not do this: it needs at least “%(level)s”.") % {"level": needed.label})
        return reasons
