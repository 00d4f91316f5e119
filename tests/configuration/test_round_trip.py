"""Export, apply to an installation without the configuration, export again: the same files, byte for byte."""

from kontora.automation.models import Robot, Trigger
from kontora.configuration import apply, export
from kontora.configuration.sections import sections
from kontora.crm import services as crm
from kontora.crm.models import Category, FieldDefinition, Status
from tests.configuration.conftest import configure


def _write(files: dict[str, str], directory) -> None:
    for name, text in files.items():
        (directory / name).write_text(text, encoding="utf-8")


def test_every_section_writes_its_own_file(configured, tmp_path):
    names = export.export(tmp_path)

    ours = {"kontora.yaml", "pipelines.yaml", "dictionaries.yaml", "fields.yaml", "roles.yaml", "robots.yaml"}
    assert ours <= set(names)  # other apps' sections (processes, lists…) add their own files
    assert [section.name for section in sections()][:3] == ["crm.pipelines", "crm.dictionaries", "crm.fields"]
    pipelines = (tmp_path / "pipelines.yaml").read_text(encoding="utf-8")
    assert "name: Мебельная мастерская" in pipelines
    assert "C1:" not in pipelines and "C2:" not in pipelines  # stage codes without the pipeline's id
    robots = (tmp_path / "robots.yaml").read_text(encoding="utf-8")
    assert "- anna\n" in robots and "- elena\n" in robots and "responsible: oleg" in robots
    assert "stage: WON" in robots


def test_apply_to_an_unconfigured_installation_reproduces_the_configuration(org, tmp_path):
    fresh = export.collect()
    configured = configure(org)
    old_id = configured.workshop.pk
    source = export.collect()
    (tmp_path / "fresh").mkdir()
    _write(fresh, tmp_path / "fresh")
    export.export(tmp_path / "configured")

    # Back to an installation without any of it: the folder of the fresh one removes what was configured.
    apply.apply(apply.load(tmp_path / "fresh"), by=org.admin)
    assert export.collect() == fresh
    assert not Category.objects.filter(name="Мебельная мастерская").exists()
    assert not Robot.objects.exists() and not Trigger.objects.exists()

    # A pipeline only this installation has takes the id the workshop had: the files must not depend on ids.
    local = crm.create_category(by=org.admin, name="Временная")
    assert local.pk == old_id

    apply.apply(apply.load(tmp_path / "configured"), by=org.admin)

    assert export.collect() == source
    workshop = Category.objects.get(name="Мебельная мастерская")
    assert workshop.pk != old_id
    assert not Category.objects.filter(name="Временная").exists()
    codes = set(Status.objects.filter(category=workshop).values_list("status_id", flat=True))
    assert codes == {f"C{workshop.pk}:{code}" for code in ("NEW", "UC_4", "UC_5", "WON", "LOSE")}
    robot = Robot.objects.get(title="Назначить замерщика")
    assert (robot.category_id, robot.stage) == (workshop.pk, f"C{workshop.pk}:UC_4")
    assert robot.params["users"] == [org.sales_rep.pk, org.kazan_rep.pk]
    assert Robot.objects.get(title="Дальше").params == {"stage": f"C{workshop.pk}:WON"}
    assert Robot.objects.get(title="Позвонить").params["responsible"] == org.sales_head.pk
    assert robot.created_by_id == org.admin.pk
    assert Trigger.objects.get().stage == f"C{workshop.pk}:UC_4"
    material = FieldDefinition.objects.get(code="UF_CRM_MATERIAL")
    assert material.options == [{"ID": "1", "VALUE": "Дуб"}, {"ID": "2", "VALUE": "Сосна"}]


def test_a_second_apply_changes_nothing(configured, org, tmp_path):
    export.export(tmp_path)
    bundle = apply.load(tmp_path)

    assert apply.plan(bundle, by=org.admin) == []
    assert apply.apply(bundle, by=org.admin) == []


def test_export_removes_files_of_a_section_only(configured, tmp_path):
    (tmp_path / "README.md").write_text("notes")
    (tmp_path / "robots.yaml").write_text("stale")

    export.export(tmp_path)

    assert (tmp_path / "README.md").read_text() == "notes"
    assert (tmp_path / "robots.yaml").read_text(encoding="utf-8").startswith("robots:")
