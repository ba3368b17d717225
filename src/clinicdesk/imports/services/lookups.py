"""Codes in a file -> records: location codes, provider NPIs, appointment type codes, patient MRNs. Reads only; the
owning service still checks everything (active, permitted, at the location)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from clinicdesk.patients.models import Patient
from clinicdesk.practice.models import Location, Practitioner
from clinicdesk.scheduling.models import AppointmentType

from .base import CellError, echo


def location(code: str, column: str = "location") -> Location:
    if not code:
        raise CellError(column, _("Required."))
    found = Location.objects.filter(code__iexact=code, active=True).first()
    if found is None:
        raise CellError(column, _("No active location with code '%(code)s'.") % {"code": echo(code)})
    return found


def locations(codes: list[str], column: str = "locations") -> list[Location]:
    return [location(code, column) for code in codes]


def practitioner(npi: str, column: str = "provider_npi") -> Practitioner:
    if not npi:
        raise CellError(column, _("Required."))
    found = Practitioner.objects.filter(npi=npi).first()
    if found is None:
        raise CellError(column, _("No provider with NPI '%(npi)s'.") % {"npi": echo(npi)})
    if not found.active:
        raise CellError(column, _("The provider with NPI '%(npi)s' is inactive.") % {"npi": echo(npi)})
    return found


def appointment_type(code: str, column: str = "appointment_type") -> AppointmentType:
    if not code:
        raise CellError(column, _("Required."))
    found = AppointmentType.objects.filter(code__iexact=code).first()
    if found is None:
        raise CellError(column, _("No appointment type with code '%(code)s'.") % {"code": echo(code)})
    if not found.active:
        raise CellError(column, _("The appointment type '%(code)s' is inactive.") % {"code": echo(code)})
    return found


def patient_id(mrn: str, column: str = "mrn") -> int:
    """The chart's id; whether the importer may book it (active, not merged away, in reach) is the booking's
    rule, which answers "No such patient" for every chart it refuses."""
    if not mrn:
        raise CellError(column, _("Required."))
    found = Patient.objects.filter(mrn=mrn).values_list("pk", flat=True).first()
    if found is None:
        raise CellError(column, _("No patient with MRN '%(mrn)s'.") % {"mrn": echo(mrn)})
    return int(found)
