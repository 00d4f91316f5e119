"""Pipelines and stages, loss reasons and lead statuses: administrators shape them, deals and leads follow."""

import pytest

from kontora.core.errors import Forbidden, Invalid
from kontora.crm import services
from kontora.crm.choices import Semantics
from kontora.crm.models import Category, Deal, Lead, LossReason, StageHistory, Status
from kontora.crm.services import pipelines_extra
from kontora.events import history
from kontora.events.models import Event
from tests.factories import make_deal, make_lead, stage


def codes(category: Category) -> list[str]:
    return list(
        Status.objects.filter(category=category, entity_id=category.stage_entity)
        .order_by("sort", "id")
        .values_list("status_id", flat=True)
    )


def lead_codes() -> list[str]:
    return list(Status.objects.filter(entity_id="STATUS").order_by("sort", "id").values_list("status_id", flat=True))


def test_new_pipeline_gets_new_won_and_lost_stages(org, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        partners = services.create_category(by=org.admin, name="  Партнёры ")

    assert partners.name == "Партнёры"
    assert partners.pk > 0
    assert codes(partners) == [f"C{partners.pk}:NEW", f"C{partners.pk}:WON", f"C{partners.pk}:LOSE"]
    assert Event.objects.filter(name="crm.category.created").exists()


def test_only_administrators_shape_pipelines(org):
    with pytest.raises(Forbidden):
        services.create_category(by=org.sales_head, name="Партнёры")
    with pytest.raises(Forbidden):
        services.create_stage(Category.objects.get(pk=0), by=org.sales_rep, name="Демо")
    with pytest.raises(Forbidden):
        services.update_stage(stage("NEW"), by=org.reader, name="Входящие")
    with pytest.raises(Forbidden):
        pipelines_extra.create_loss_reason(by=org.sales_head, name="Дорого")

    assert not Category.objects.exclude(pk=0).exists()


def test_stage_gets_a_code_in_its_pipeline_and_can_be_renamed_and_recoloured(org):
    partners = services.create_category(by=org.admin, name="Партнёры")

    demo = services.create_stage(partners, by=org.admin, name="Демо")
    services.update_stage(demo, by=org.admin, name="Демонстрация", color="#123456")

    demo.refresh_from_db()
    assert demo.status_id.startswith(f"C{partners.pk}:UC_")
    assert (demo.name, demo.color, demo.entity_id) == ("Демонстрация", "#123456", f"DEAL_STAGE_{partners.pk}")
    change = history.for_object(demo).filter(action="update").get()
    assert change.changes["name"] == ["Демо", "Демонстрация"]


def test_stage_name_is_required(org):
    with pytest.raises(Invalid) as error:
        services.update_stage(stage("NEW"), by=org.admin, name="  ")

    assert error.value.field == "name"
    assert stage("NEW").name == "Новая"


def test_added_stage_goes_after_the_last_stage_in_progress(org):
    default = Category.objects.get(pk=0)

    demo = pipelines_extra.add_stage(default, by=org.admin, name="Демо")
    refusal = pipelines_extra.add_stage(default, by=org.admin, name="Отказ клиента", semantics=Semantics.FAILURE)

    assert codes(default) == [
        "NEW", "PREPARATION", "PREPAYMENT_INVOICE", "EXECUTING", "FINAL_INVOICE", demo.status_id,
        "WON", "LOSE", "APOLOGY", refusal.status_id,
    ]  # fmt: skip


def test_reorder_stages(org):
    default = Category.objects.get(pk=0)
    ids = list(Status.objects.filter(category=default).order_by("sort", "id").values_list("pk", flat=True))

    services.reorder_stages(default, [ids[1], ids[0], *ids[2:]], by=org.admin)

    assert codes(default)[:2] == ["PREPARATION", "NEW"]


def test_reorder_with_a_stale_list_is_refused(org):
    default = Category.objects.get(pk=0)
    ids = list(Status.objects.filter(category=default).values_list("pk", flat=True))

    with pytest.raises(Invalid) as error:
        services.reorder_stages(default, ids[:-1], by=org.admin)

    assert error.value.code == "STAGES_MISMATCH"


def test_move_stage_up_and_down_within_its_kind(org):
    default = Category.objects.get(pk=0)

    pipelines_extra.move_stage(stage("EXECUTING"), by=org.admin, offset=-1)
    pipelines_extra.move_stage(stage("FINAL_INVOICE"), by=org.admin, offset=1)  # already the last in progress
    pipelines_extra.move_stage(stage("APOLOGY"), by=org.admin, offset=-1)

    assert codes(default) == [
        "NEW", "PREPARATION", "EXECUTING", "PREPAYMENT_INVOICE", "FINAL_INVOICE", "WON", "APOLOGY", "LOSE",
    ]  # fmt: skip


def test_deleting_an_empty_stage(org):
    default = Category.objects.get(pk=0)

    moved = services.delete_stage(stage("PREPAYMENT_INVOICE"), by=org.admin)

    assert moved == 0
    assert "PREPAYMENT_INVOICE" not in codes(default)


def test_deleting_a_stage_with_deals_needs_a_stage_of_the_same_pipeline(org):
    partners = services.create_category(by=org.admin, name="Партнёры")
    deal = make_deal(by=org.sales_rep)
    services.move_deal(deal, stage("PREPARATION"), by=org.sales_rep)

    with pytest.raises(Invalid) as no_target:
        services.delete_stage(stage("PREPARATION"), by=org.admin)
    with pytest.raises(Invalid) as other_pipeline:
        services.delete_stage(stage("PREPARATION"), by=org.admin, move_to=stage(f"C{partners.pk}:NEW"))

    assert no_target.value.code == other_pipeline.value.code == "MOVE_DEALS"
    assert Deal.objects.get(pk=deal.pk).stage.status_id == "PREPARATION"


def test_deleting_a_stage_moves_its_deals_and_their_history(org):
    deal = make_deal(by=org.sales_rep)
    services.move_deal(deal, stage("PREPARATION"), by=org.sales_rep)
    in_bin = make_deal(by=org.sales_rep)
    services.move_deal(in_bin, stage("PREPARATION"), by=org.sales_rep)
    services.delete_record(in_bin, by=org.sales_rep)
    preparation_pk = stage("PREPARATION").pk

    moved = services.delete_stage(stage("PREPARATION"), by=org.admin, move_to=stage("EXECUTING"))

    assert moved == 2
    assert Deal.all_objects.get(pk=deal.pk).stage.status_id == "EXECUTING"
    assert Deal.all_objects.get(pk=in_bin.pk).stage.status_id == "EXECUTING"
    assert not Status.objects.filter(pk=preparation_pk).exists()
    assert not StageHistory.objects.filter(to_stage_id=preparation_pk).exists()
    assert StageHistory.objects.filter(entity_id=deal.pk, to_stage__status_id="EXECUTING").exists()


def test_a_stage_deals_have_passed_through_needs_a_replacement_for_the_history(org):
    deal = make_deal(by=org.sales_rep)
    services.move_deal(deal, stage("PREPARATION"), by=org.sales_rep)
    services.move_deal(deal, stage("EXECUTING"), by=org.sales_rep)
    preparation_pk = stage("PREPARATION").pk

    with pytest.raises(Invalid) as error:
        services.delete_stage(stage("PREPARATION"), by=org.admin)
    moved = services.delete_stage(stage("PREPARATION"), by=org.admin, move_to=stage("NEW"))

    assert error.value.code == "MOVE_DEALS"
    assert moved == 0
    assert not Status.objects.filter(pk=preparation_pk).exists()
    path = StageHistory.objects.filter(entity_id=deal.pk).order_by("moved_at", "id")
    assert [(row.from_stage and row.from_stage.status_id, row.to_stage.status_id) for row in path] == [
        (None, "NEW"), ("NEW", "NEW"), ("NEW", "EXECUTING"),
    ]  # fmt: skip


def test_delete_stage_moves_current_deals(org):
    deal = make_deal(by=org.sales_rep)
    services.move_deal(deal, stage("PREPARATION"), by=org.sales_rep)

    moved = services.delete_stage(stage("PREPARATION"), by=org.admin, move_to=stage("EXECUTING"))

    assert moved == 1
    assert Deal.objects.get(pk=deal.pk).stage.status_id == "EXECUTING"


def test_system_stages_stay(org):
    make_deal(by=org.sales_rep, stage=stage("WON"))

    with pytest.raises(Invalid) as error:
        services.delete_stage(stage("WON"), by=org.admin, move_to=stage("NEW"))
    with pytest.raises(Invalid) as through_the_page:
        services.delete_stage(stage("WON"), by=org.admin)

    assert error.value.code == through_the_page.value.code == "SYSTEM_STAGE"


def test_rename_pipeline(org):
    default = Category.objects.get(pk=0)

    pipelines_extra.rename_category(default, by=org.admin, name="Основная воронка")

    assert Category.objects.get(pk=0).name == "Основная воронка"
    with pytest.raises(Forbidden):
        pipelines_extra.rename_category(default, by=org.sales_head, name="Моя")


def test_loss_reasons_are_added_renamed_and_deactivated(org):
    reason = pipelines_extra.create_loss_reason(by=org.admin, name="Долгая доставка")

    pipelines_extra.update_loss_reason(reason, by=org.admin, name="Долгие сроки", active=False)

    reason.refresh_from_db()
    assert (reason.name, reason.active) == ("Долгие сроки", False)
    assert reason.sort > LossReason.objects.exclude(pk=reason.pk).order_by("-sort").first().sort
    assert history.for_object(reason).count() == 2


def test_deactivated_reason_stays_on_deals_lost_for_it(org):
    price = LossReason.objects.get(name="Цена")
    deal = make_deal(by=org.sales_rep)
    services.move_deal(deal, stage("LOSE"), by=org.sales_rep, loss_reason=price)

    pipelines_extra.update_loss_reason(price, by=org.admin, active=False)

    assert Deal.objects.get(pk=deal.pk).loss_reason == price


def test_lead_status_is_added_before_the_final_ones_renamed_and_reordered(org):
    checking = pipelines_extra.create_lead_status(by=org.admin, name="Проверка")
    pipelines_extra.update_lead_status(checking, by=org.admin, name="Проверка контактов", color="#abcdef")
    pipelines_extra.move_lead_status(checking, by=org.admin, offset=-1)

    checking.refresh_from_db()
    assert lead_codes() == ["NEW", "IN_PROCESS", checking.status_id, "PROCESSED", "CONVERTED", "JUNK"]
    assert (checking.name, checking.color) == ("Проверка контактов", "#abcdef")


def test_final_lead_statuses_stay_last(org):
    ids = {code: pk for pk, code in Status.objects.filter(entity_id="STATUS").values_list("pk", "status_id")}
    order = [ids["JUNK"], ids["NEW"], ids["IN_PROCESS"], ids["PROCESSED"], ids["CONVERTED"]]

    with pytest.raises(Invalid) as error:
        pipelines_extra.reorder_lead_statuses(order, by=org.admin)

    assert error.value.code == "FINAL_LAST"


def test_deleting_a_lead_status_moves_its_leads(org):
    checking = pipelines_extra.create_lead_status(by=org.admin, name="Проверка")
    lead = make_lead(by=org.sales_rep, status=checking)
    new = Status.objects.get(entity_id="STATUS", status_id="NEW")
    converted = Status.objects.get(entity_id="STATUS", status_id="CONVERTED")

    with pytest.raises(Invalid) as to_converted:
        pipelines_extra.delete_lead_status(checking, by=org.admin, move_to=converted)
    moved = pipelines_extra.delete_lead_status(checking, by=org.admin, move_to=new)

    assert to_converted.value.code == "MOVE_LEADS"
    assert moved == 1
    assert Lead.objects.get(pk=lead.pk).status == new
    assert StageHistory.objects.filter(entity_id=lead.pk, to_stage=new).exists()


def test_a_lead_status_leads_have_passed_through_needs_a_replacement(org):
    checking = pipelines_extra.create_lead_status(by=org.admin, name="Проверка")
    lead = make_lead(by=org.sales_rep, status=checking)
    new = Status.objects.get(entity_id="STATUS", status_id="NEW")
    services.update_lead(lead, by=org.sales_rep, status=new)

    with pytest.raises(Invalid) as error:
        pipelines_extra.delete_lead_status(checking, by=org.admin)
    pipelines_extra.delete_lead_status(checking, by=org.admin, move_to=new)

    assert error.value.code == "MOVE_LEADS"
    assert not Status.objects.filter(pk=checking.pk).exists()


def test_system_lead_statuses_stay(org):
    with pytest.raises(Invalid) as error:
        pipelines_extra.delete_lead_status(Status.objects.get(entity_id="STATUS", status_id="JUNK"), by=org.admin)

    assert error.value.code == "SYSTEM_STATUS"
