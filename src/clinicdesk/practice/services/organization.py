"""The organization: the one legal entity behind every location (name, tax ID, group NPI, phone)."""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from clinicdesk.audit.services import atomic_service, record
from clinicdesk.core.changes import diff, snapshot
from clinicdesk.core.exceptions import NotFound, ValidationFailed
from clinicdesk.core.permissions import Actor, Perm, require

from ..models import Organization
from . import _common

ORGANIZATION_FIELDS = ("name", "tax_id", "npi", "phone")
_EIN = re.compile(r"^(\d{2})-?(\d{7})$")


def tax_id_clean(value: str) -> str:
    """An employer identification number, stored as NN-NNNNNNN; blank when not given."""
    value = (value or "").strip()
    if not value:
        return ""
    match = _EIN.match(value)
    if match is None:
        raise ValidationFailed("bad-tax-id", _("'%(value)s' is not a tax ID (EIN): nine digits, NN-NNNNNNN.")
                               % {"value": value}, fields={"tax_id": [_("Use the form NN-NNNNNNN.")]})
    return f"{match.group(1)}-{match.group(2)}"


@atomic_service
def organization_update(*, actor: Actor, organization_id: int | None = None, name: str | None = None,
                        tax_id: str | None = None, npi: str | None = None, phone: str | None = None) -> Organization:
    """Change the organization's name, tax ID (EIN), billing/group NPI (check digit) or phone; a value left as
    None stays as it is. There is one organization: it is created by the first call when there is none (a name
    is then required). `organization_id`, when given (the API), must be that one."""
    require(actor, Perm.PRACTICE_ADMIN)
    organization = Organization.objects.select_for_update().order_by("pk").first()
    if organization_id is not None and (organization is None or organization.pk != organization_id):
        raise NotFound()
    creating = organization is None
    if organization is None:
        if name is None:
            raise ValidationFailed("required", _("The organization needs a name."),
                                   fields={"name": [_("This field is required.")]})
        organization = Organization(name="")
    before = snapshot(organization, ORGANIZATION_FIELDS)
    if name is not None:
        organization.name = _common.text(name, "name", max_length=200)
    if tax_id is not None:
        organization.tax_id = tax_id_clean(tax_id)
    if npi is not None:
        organization.npi = _common.npi(npi, required=False)
    if phone is not None:
        organization.phone = _common.phone(phone, required=False)
    organization.save()
    changes = diff(before, snapshot(organization, ORGANIZATION_FIELDS))
    if creating or changes:
        if creating:
            record(actor, "organization.create", organization, detail={"changes": changes})
        else:
            record(actor, "organization.update", organization, detail={"changes": changes})
    return organization


def organization_for_new_location(name: str) -> tuple[Organization, bool]:
    """The organization a new location joins: the one there is, or (first run, organization step skipped) a new
    one named after the location until the practice names it; and whether it was made now."""
    organization = Organization.objects.order_by("pk").first()
    if organization is not None:
        return organization, False
    return Organization.objects.create(name=name), True
