"""Pure mappers, model <-> FHIR dict. No database writes, no permission checks."""

from __future__ import annotations

import datetime as dt


def instant(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


MRN_SYSTEM = "urn:clinicdesk:mrn"
TYPE_SYSTEM = "urn:clinicdesk:appointment-type"
NPI_SYSTEM = "http://hl7.org/fhir/sid/us-npi"
