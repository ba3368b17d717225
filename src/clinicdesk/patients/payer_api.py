"""Payers in the JSON API (/api/v1/payers), for practice administrators: one ApiResource declaration gives the
views, the parsing and the OpenAPI description (core.resources). Included under /api/v1/ by the URL root."""

from __future__ import annotations

from clinicdesk.core.permissions import Perm
from clinicdesk.core.resources import ApiField, ApiResource

from . import services
from .models import PayerKind

PAYERS = ApiResource(
    write_perm=Perm.PRACTICE_ADMIN,
    path="payers", schema="Payer", tag="payers", noun="payer",
    description="An insurance company or program offered on the insurance form, with its default co-pays.",
    fields=(
        ApiField.ident(),
        ApiField.text("name", required=True, max_length=120),
        ApiField.text("payerCode", max_length=20, description="The electronic payer id (clearinghouse)."),
        ApiField.choice("kind", PayerKind.values),
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

urlpatterns = [*PAYERS.urls()]
