"""Practitioners (providers): names, credentials, NPI, specialties, the locations they work at, the ages they see."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.utils.translation import gettext as _

from clinicdesk.accounts.selectors import user_is_active_provider
from clinicdesk.audit.services import atomic_service, record
from clinicdesk.core.changes import diff
from clinicdesk.core.exceptions import Conflict, NotFound, ValidationFailed
from clinicdesk.core.permissions import Actor, Perm, require

from ..models import Location, Practitioner, Specialty
from . import _common

PRACTITIONER_CHANGES = ("first_name", "last_name", "credentials", "npi", "specialty_codes", "location_ids", "color",
                        "min_patient_age", "max_patient_age", "active", "user_id")


def practitioner_snapshot(practitioner: Practitioner) -> dict[str, Any]:
    """What the history of a practitioner shows: plain values, specialties and locations by name."""
    return {
        "first_name": practitioner.first_name, "last_name": practitioner.last_name,
        "credentials": practitioner.credentials, "npi": practitioner.npi, "color": practitioner.color,
        "min_patient_age": practitioner.min_patient_age, "max_patient_age": practitioner.max_patient_age,
        "active": practitioner.active, "user_id": practitioner.user_id,
        "specialties": ", ".join(sorted(s.name for s in practitioner.specialties.all())),
        "locations": ", ".join(sorted(loc.name for loc in practitioner.locations.all())),
    } if practitioner.pk else {}


def _locations(actor: Actor, location_ids: Sequence[int]) -> list[Location]:
    if not location_ids:
        raise ValidationFailed("location-required", _("A practitioner works at one location at least."),
                               fields={"locations": [_("Choose at least one location.")]})
    for location_id in location_ids:
        require(actor, Perm.PRACTICE_ADMIN, location=location_id)
    locations = list(Location.objects.filter(pk__in=location_ids, active=True))
    if len(locations) != len(set(location_ids)):
        raise ValidationFailed("unknown-location", _("No such location."),
                               fields={"locations": [_("Unknown location.")]})
    return locations


def _specialties(codes: Sequence[str]) -> list[Specialty]:
    found = {s.code: s for s in Specialty.objects.filter(code__in=codes)}
    if len(found) != len(set(codes)):
        raise ValidationFailed("unknown-specialty", _("No such specialty."), fields={"specialties": [_("Unknown.")]})
    return [found[code] for code in dict.fromkeys(codes)]


def _check_ages(low: int | None, high: int | None) -> None:
    if any(age is not None and (isinstance(age, bool) or not isinstance(age, int) or not 0 <= age <= 130)
           for age in (low, high)) or (low is not None and high is not None and high < low):
        raise ValidationFailed("bad-age-range", _("The patient age range runs from a lower to a higher age, "
                                                  "0 to 130 years."),
                               fields={"max_patient_age": [_("Check the ages.")]})


def _check_account(user_id: int | None, *, exclude: int | None = None) -> None:
    """A provider's own account: an active staff account with the provider role, linked to no other provider."""
    if user_id is None:
        return
    if not user_is_active_provider(user_id):
        raise ValidationFailed("bad-account", _("Link an active staff account with the provider role."),
                               fields={"user_id": [_("Choose a provider's account.")]})
    if Practitioner.objects.filter(user_id=user_id).exclude(pk=exclude or 0).exists():
        raise Conflict("account-taken", _("That account belongs to another provider already."),
                       fields={"user_id": [_("Linked to another provider.")]})


def _refuse_duplicate_npi(npi: str, *, exclude: int | None = None) -> None:
    if Practitioner.objects.filter(npi=npi).exclude(pk=exclude or 0).exists():
        raise Conflict("duplicate-npi", _("A practitioner with this NPI exists already."),
                       fields={"npi": [_("This NPI is taken.")]})


@atomic_service
def practitioner_create(*, actor: Actor, first_name: str, last_name: str, npi: str, location_ids: Sequence[int],
                        credentials: str = "", specialty_codes: Sequence[str] = (), color: str = "#2f6f9f",
                        min_patient_age: int | None = None, max_patient_age: int | None = None,
                        user_id: int | None = None) -> Practitioner:
    """Add a practitioner. The NPI must carry a valid check digit (Luhn over 80840 + the NPI). The patient age
    range (whole years, either end open) is who the provider sees: a paediatric provider 0 to 17. `user_id` links
    the provider's own staff account (their day, their inbox)."""
    require(actor, Perm.PRACTICE_ADMIN)
    npi = _common.npi(npi)
    if not first_name.strip() or not last_name.strip():
        raise ValidationFailed("name-required", _("First and last name are required."),
                               fields={"first_name" if not first_name.strip() else "last_name":
                                       [_("This field is required.")]})
    first_name = _common.text(first_name, "first_name", max_length=80)
    last_name = _common.text(last_name, "last_name", max_length=80)
    credentials = _common.text(credentials, "credentials", max_length=40, required=False)
    color = _common.color(color)
    _check_ages(min_patient_age, max_patient_age)
    locations = _locations(actor, location_ids)
    _refuse_duplicate_npi(npi)
    specialties = _specialties(specialty_codes)
    _check_account(user_id)
    practitioner = Practitioner.objects.create(
        first_name=first_name, last_name=last_name, npi=npi, credentials=credentials,
        specialty=specialties[0].name if specialties else "", color=color, min_patient_age=min_patient_age,
        max_patient_age=max_patient_age, user_id=user_id)
    practitioner.locations.set(locations)
    practitioner.specialties.set(specialties)
    record(actor, "practitioner.create", practitioner,
           detail={"npi": npi, "changes": diff({}, practitioner_snapshot(practitioner))})
    return practitioner


def _locked(actor: Actor, practitioner_id: int) -> Practitioner:
    practitioner = Practitioner.objects.select_for_update().filter(pk=practitioner_id).first()
    if practitioner is None:
        raise NotFound()
    for location_id in practitioner.locations.values_list("pk", flat=True):
        require(actor, Perm.PRACTICE_ADMIN, location=location_id)
    return practitioner


@atomic_service
def practitioner_set_locations(*, actor: Actor, practitioner_id: int, location_ids: Sequence[int]) -> Practitioner:
    require(actor, Perm.PRACTICE_ADMIN)
    practitioner = _locked(actor, practitioner_id)
    practitioner.locations.set(_locations(actor, location_ids))
    record(actor, "practitioner.locations", practitioner, detail={"locations": sorted(location_ids)})
    return practitioner


@atomic_service
def practitioner_update(*, actor: Actor, practitioner_id: int, **changes: Any) -> Practitioner:
    """Change a practitioner: names, credentials, NPI (check digit; unique), `specialty_codes` (the first is the
    one shown), `location_ids`, colour, patient age range, `active` (True reactivates). Only what is given."""
    require(actor, Perm.PRACTICE_ADMIN)
    _common.refuse_unknown(changes, PRACTITIONER_CHANGES)
    practitioner = _locked(actor, practitioner_id)
    before = practitioner_snapshot(practitioner)
    for field in ("first_name", "last_name"):
        if field in changes:
            setattr(practitioner, field, _common.text(changes[field], field, max_length=80))
    if "credentials" in changes:
        practitioner.credentials = _common.text(changes["credentials"], "credentials", max_length=40, required=False)
    if "npi" in changes:
        practitioner.npi = _common.npi(changes["npi"])
        _refuse_duplicate_npi(practitioner.npi, exclude=practitioner.pk)
    if "color" in changes:
        practitioner.color = _common.color(changes["color"])
    if "active" in changes:
        practitioner.active = _common.flag(changes["active"])
    for field in ("min_patient_age", "max_patient_age"):
        if field in changes:
            setattr(practitioner, field, changes[field])
    if "user_id" in changes:
        _check_account(changes["user_id"], exclude=practitioner.pk)
        practitioner.user_id = changes["user_id"]
    _check_ages(practitioner.min_patient_age, practitioner.max_patient_age)
    specialties = _specialties(changes["specialty_codes"]) if "specialty_codes" in changes else None
    locations = _locations(actor, changes["location_ids"]) if "location_ids" in changes else None
    if specialties is not None:
        practitioner.specialty = specialties[0].name if specialties else ""
    practitioner.save()
    if specialties is not None:
        practitioner.specialties.set(specialties)
    if locations is not None:
        practitioner.locations.set(locations)
    detail = diff(before, practitioner_snapshot(practitioner))
    if detail:
        record(actor, "practitioner.update", practitioner, detail={"changes": detail})
    return practitioner


@atomic_service
def practitioner_deactivate(*, actor: Actor, practitioner_id: int) -> Practitioner:
    """Take a practitioner out of use (left the practice): booking no longer offers them; their past and booked
    appointments keep them. Reactivate with practitioner_update(active=True)."""
    require(actor, Perm.PRACTICE_ADMIN)
    practitioner = _locked(actor, practitioner_id)
    if practitioner.active:
        practitioner.active = False
        practitioner.save(update_fields=["active"])
        record(actor, "practitioner.deactivate", practitioner, detail={"changes": {"active": [True, False]}})
    return practitioner
