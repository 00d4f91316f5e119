from django.db import migrations

BUILTIN = [
    ("Administrator", "administrator"),
    ("Head of department", "head"),
    ("Employee", "employee"),
    ("Read-only", "read_only"),
]


def create_roles(apps, schema_editor):
    Role = apps.get_model("accounts", "Role")
    for name, preset in BUILTIN:
        Role.objects.get_or_create(preset=preset, defaults={"name": name})


def delete_roles(apps, schema_editor):
    Role = apps.get_model("accounts", "Role")
    Role.objects.filter(preset__in=[preset for _, preset in BUILTIN]).delete()


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]

    operations = [migrations.RunPython(create_roles, delete_roles)]
