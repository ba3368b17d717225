"""Payers and their plans in the JSON API (/api/v1/payers, /api/v1/payer-plans), for practice coordinators and
billing users (patients.services.may_edit_payers): one ApiResource declaration each gives the views, the parsing
and the OpenAPI description (core.resources). Included under /api/v1/ by the URL root."""

from __future__ import annotations

from clinicdesk.core.resources import ApiField, ApiResource

from . import services
from .models import PayerChannel, PayerKind, PlanType

_CHANNELS = "How they reach the payer: clearinghouse-realtime, clearinghouse-batch, paper-portal or none."

# write_perm stays None: the services' one rule (coordinator or billing) refuses before anything is written.
PAYERS = ApiResource(
    path="payers", schema="Payer", tag="payers", noun="payer",
    description="An insurance company or program offered on the insurance form: its electronic id, address and "
                "phone, how claims and coverage checks reach it, and its default co-pays.",
    fields=(
        ApiField.ident(),
        ApiField.text("name", required=True, max_length=120),
        ApiField.text("payerCode", max_length=20, description="The electronic payer id (clearinghouse)."),
        ApiField.choice("kind", PayerKind.values),
        ApiField.text("addressLine", max_length=120),
        ApiField.text("city", max_length=60),
        ApiField.text("state", max_length=2, description="Two-letter US state."),
        ApiField.text("postalCode", max_length=10, description="ZIP or ZIP+4."),
        ApiField.text("phone", max_length=30),
        ApiField.choice("claimChannel", PayerChannel.values, description="Claims. " + _CHANNELS),
        ApiField.choice("eligibilityChannel", PayerChannel.values, description="Coverage checks. " + _CHANNELS),
        ApiField.decimal("defaultCopayPrimary", nullable=True,
                         description="Filled in as a new coverage's primary-care co-pay when none is given."),
        ApiField.decimal("defaultCopaySpecialist", nullable=True,
                         description="Filled in as a new coverage's specialist co-pay when none is given."),
        ApiField.flag("active", description="Offered for new coverage; true reactivates a deactivated payer."),
    ),
    list=lambda actor, include_inactive: services.payers_list(actor=actor, include_inactive=include_inactive),
    read=lambda actor, pk: services.payer_detail(actor=actor, payer_id=pk),
    create=lambda actor, values: services.payer_create(actor=actor, **values),
    update=lambda actor, pk, values: services.payer_update(actor=actor, payer_id=pk, **values),
    deactivate=lambda actor, pk: services.payer_deactivate(actor=actor, payer_id=pk),
)

PAYER_PLANS = ApiResource(
    path="payer-plans", schema="PayerPlan", tag="payers", noun="payer plan",
    description="One of a payer's plans (products); a coverage may name it.",
    fields=(
        ApiField.ident(),
        ApiField.ref("payer", required=True, create_only=True, description="The payer's id."),
        ApiField.text("name", required=True, max_length=120),
        ApiField.choice("planType", PlanType.values),
        ApiField.text("networkId", max_length=40, description="The payer's network or product id."),
        ApiField.flag("active", description="Offered for new coverage; true reactivates a deactivated plan."),
    ),
    list=lambda actor, include_inactive: services.payer_plans_list(actor=actor, include_inactive=include_inactive),
    read=lambda actor, pk: services.payer_plan_detail(actor=actor, plan_id=pk),
    create=lambda actor, values: services.payer_plan_create(actor=actor, **values),
    update=lambda actor, pk, values: services.payer_plan_update(actor=actor, plan_id=pk, **values),
    deactivate=lambda actor, pk: services.payer_plan_deactivate(actor=actor, plan_id=pk),
)

urlpatterns = [*PAYERS.urls(), *PAYER_PLANS.urls()]
