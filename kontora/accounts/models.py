"""People, the department tree and roles."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kontora.core.models import TimeStamped


class Level(models.IntegerChoices):
    """How far a grant reaches, from nothing to everything."""

    NONE = 0, _("None")
    OWN = 10, _("Own")
    DEPARTMENT = 20, _("Own department")
    SUBTREE = 30, _("Department and sub-departments")
    ALL = 40, _("All")


class Department(TimeStamped):
    name = models.CharField(_("name"), max_length=200)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    head = models.ForeignKey(
        "accounts.User",
        verbose_name=_("head"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="headed_departments",
    )
    sort = models.PositiveIntegerField(_("sort"), default=100)

    class Meta:
        ordering = ["sort", "name"]
        verbose_name = _("department")
        verbose_name_plural = _("departments")

    def __str__(self) -> str:
        return self.name


class RoleQuerySet(models.QuerySet):
    def builtin(self, preset: str) -> "Role":
        """The built-in role for a preset; recreated if someone removed it."""
        role, _created = self.get_or_create(preset=preset, defaults={"name": Role.BUILTIN_NAMES[preset]})
        return role


class Role(TimeStamped):
    """A set of grants. Built-in roles carry a preset that answers for every registered entity."""

    class Preset(models.TextChoices):
        ADMINISTRATOR = "administrator", _("Administrator")
        HEAD = "head", _("Head of department")
        EMPLOYEE = "employee", _("Employee")
        READ_ONLY = "read_only", _("Read-only")
        CUSTOM = "custom", _("Custom")

    BUILTIN_NAMES = {
        "administrator": "Administrator",
        "head": "Head of department",
        "employee": "Employee",
        "read_only": "Read-only",
    }

    name = models.CharField(_("name"), max_length=100, unique=True)
    preset = models.CharField(_("preset"), max_length=20, choices=Preset, default=Preset.CUSTOM)

    objects = RoleQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("role")
        verbose_name_plural = _("roles")

    def __str__(self) -> str:
        # Built-in roles show in the reader's language.
        return self.name if self.preset == self.Preset.CUSTOM else str(self.get_preset_display())


class RoleGrant(models.Model):
    """An explicit level for one entity type and action (and optionally one scope, e.g. a pipeline)."""

    role = models.ForeignKey(Role, on_delete=models.CASCADE, related_name="grants")
    entity = models.CharField(_("entity type"), max_length=100)
    action = models.CharField(_("action"), max_length=30)
    scope = models.CharField(_("scope"), max_length=100, blank=True, default="")
    level = models.PositiveSmallIntegerField(_("level"), choices=Level, default=Level.NONE)

    class Meta:
        ordering = ["role", "entity", "action", "scope"]
        constraints = [models.UniqueConstraint(fields=["role", "entity", "action", "scope"], name="unique_role_grant")]

    def __str__(self) -> str:
        return f"{self.role}: {self.entity}.{self.action}={self.get_level_display()}"


class User(AbstractUser):
    class Language(models.TextChoices):
        RU = "ru", "Русский"
        EN = "en", "English"

    middle_name = models.CharField(_("middle name"), max_length=150, blank=True)
    position = models.CharField(_("position"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    photo = models.ImageField(_("photo"), upload_to="photos/", blank=True)
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="members",
    )
    language = models.CharField(_("language"), max_length=5, choices=Language, default=Language.RU)
    time_zone = models.CharField(_("time zone"), max_length=64, default="Europe/Moscow")
    roles = models.ManyToManyField(Role, verbose_name=_("roles"), blank=True, related_name="users")

    class Meta:
        ordering = ["last_name", "first_name", "username"]
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        name = " ".join(part for part in (self.first_name, self.last_name) if part)
        return name or self.username

    @property
    def initials(self) -> str:
        letters = [part[0] for part in (self.first_name, self.last_name) if part]
        return ("".join(letters) or self.username[:2]).upper()

    def get_absolute_url(self) -> str:
        return reverse("accounts:person", args=[self.pk])
