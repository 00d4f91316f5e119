"""Reads for pipeline settings and lead conversion: pipelines with their stages, lead statuses, loss reasons."""

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet

from kontora.accounts import access
from kontora.accounts.models import Level
from kontora.crm.choices import Dictionary, EntityType
from kontora.crm.models import Category, Deal, Lead, LossReason, MultiField, ProductRow, StageHistory, Status
from kontora.crm.selectors import visible_records


def _with_history_flag(queryset: QuerySet[Status]) -> QuerySet[Status]:
    """`in_history`: some deal or lead has been in this stage, so deleting it needs a stage to take its place."""
    return queryset.annotate(
        in_history=Exists(StageHistory.objects.filter(Q(to_stage=OuterRef("pk")) | Q(from_stage=OuterRef("pk"))))
    )


def pipelines_with_stages() -> list[Category]:
    """Every pipeline with its stages for the settings page.

    Each pipeline gets `stage_list` (in order, each stage with `deal_count`, bin included) and the same stages
    split by kind: `process_stages`, `success_stages`, `failure_stages`. Each stage also tells `in_history`.
    """
    counts = dict(Deal.all_objects.values("stage_id").annotate(n=Count("id")).values_list("stage_id", "n"))
    pipelines = list(
        Category.objects.prefetch_related(
            Prefetch("stages", queryset=_with_history_flag(Status.objects.order_by("sort", "id")))
        )
    )
    for pipeline in pipelines:
        pipeline.stage_list = [entry for entry in pipeline.stages.all() if entry.entity_id == pipeline.stage_entity]
        for entry in pipeline.stage_list:
            entry.deal_count = counts.get(entry.pk, 0)
        for name, semantics in (("process", "P"), ("success", "S"), ("failure", "F")):
            stages = [entry for entry in pipeline.stage_list if entry.semantics == semantics]
            setattr(pipeline, f"{name}_stages", stages)
    return pipelines


def pipeline_with_stages(pk: int) -> Category | None:
    return next((item for item in pipelines_with_stages() if item.pk == pk), None)


def categories() -> QuerySet[Category]:
    return Category.objects.all()


def category(pk: int) -> Category | None:
    return Category.objects.filter(pk=pk).first()


def stage(pk: int) -> Status | None:
    """A deal stage (a status that belongs to a pipeline)."""
    return Status.objects.filter(pk=pk, category__isnull=False).select_related("category").first()


def lead_statuses() -> list[Status]:
    """Lead statuses in order, each with `lead_count` (bin included) and `in_history`."""
    counts = dict(Lead.all_objects.values("status_id").annotate(n=Count("id")).values_list("status_id", "n"))
    statuses = list(_with_history_flag(Status.objects.filter(entity_id=Dictionary.LEAD_STATUS)).order_by("sort", "id"))
    for entry in statuses:
        entry.lead_count = counts.get(entry.pk, 0)
    return statuses


def lead_status(pk: int) -> Status | None:
    return Status.objects.filter(pk=pk, entity_id=Dictionary.LEAD_STATUS).first()


def loss_reasons(include_inactive: bool = True) -> QuerySet[LossReason]:
    queryset = LossReason.objects.all()
    return queryset if include_inactive else queryset.filter(active=True)


def loss_reason(pk: int) -> LossReason | None:
    return LossReason.objects.filter(pk=pk).first()


def categories_for_new_deals(user) -> list[Category]:
    """Pipelines in which the user may add deals (deals are granted per pipeline)."""
    ctx = access.context_for(user)
    entity = access.entity_for(Deal)
    return [
        item for item in Category.objects.all() if ctx.level(entity, "add", scope=f"category:{item.pk}") > Level.NONE
    ]


def lead_to_convert(user, pk: int) -> Lead | None:
    """A lead the user may change (converting changes it), or None."""
    return (
        visible_records(user, Lead, "update")
        .select_related("status", "source", "contact", "company")
        .filter(pk=pk)
        .first()
    )


def produced_by(lead: Lead) -> dict:
    """What a converted lead links to: its contact, company and deals (those that are not in the bin)."""
    return {
        "contact": lead.contact,
        "company": lead.company,
        "deals": list(Deal.objects.filter(lead=lead).order_by("id")),
    }


def lead_communications(lead: Lead) -> list[MultiField]:
    return list(MultiField.objects.filter(entity_type=EntityType.LEAD, entity_id=lead.pk).order_by("type_id", "id"))


def lead_product_rows(lead: Lead) -> list[ProductRow]:
    return list(ProductRow.objects.filter(owner_type=EntityType.LEAD, owner_id=lead.pk).order_by("sort", "id"))
