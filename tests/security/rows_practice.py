"""Access-matrix rows for the practice screens and API (#14). See matrix.py for what a row means.

Practice set-up is practice administrators' work (practice coordinator, system administrator): everybody else
gets 403. The Uptown users in the matrix hold roles without practice.admin, so they are refused the same way."""

from __future__ import annotations

import json
from typing import Any

from clinicdesk.core.identifiers import npi_complete

from .matrix import PRACTICE_ADMINS, Row, api, page

NEW_NPI = npi_complete("555000111")
_LOCATION = {"code": "matrix-new", "name": "Matrix Annex", "address_line": "1 Annex Way", "city": "Springfield",
             "state": "MA", "postal_code": "01103", "phone": "(413) 555-0111", "time_zone": "America/New_York"}


def _location_edit(w: Any) -> dict[str, Any]:
    return {**_LOCATION, "code": w.home.code, "name": w.home.name, "active": "on"}


def _hours(w: Any) -> dict[str, Any]:
    return {"hours-TOTAL_FORMS": "1", "hours-INITIAL_FORMS": "0", "hours-MIN_NUM_FORMS": "0",
            "hours-MAX_NUM_FORMS": "50", "hours-0-weekday": "0", "hours-0-opens": "08:00", "hours-0-closes": "17:00"}


def _provider(w: Any, **changes: Any) -> dict[str, Any]:
    return {"first_name": "Mia", "last_name": "Matrix", "credentials": "MD", "npi": NEW_NPI,
            "location_ids": [str(w.home.pk)], "color": "#336699", **changes}


def _provider_edit(w: Any) -> dict[str, Any]:
    doc = w.doc
    return _provider(w, first_name=doc.first_name, last_name="Matrixed", npi=doc.npi, active="on")


P = "/practice"
ROWS: list[Row] = [
    page("GET", f"{P}/organization/", 200, PRACTICE_ADMINS),
    page("POST", f"{P}/organization/", 302, PRACTICE_ADMINS, data=lambda w: {"name": "Matrix Medical Group"}),
    page("GET", f"{P}/locations/new/", 200, PRACTICE_ADMINS),
    page("POST", f"{P}/locations/new/", 302, PRACTICE_ADMINS, data=lambda w: dict(_LOCATION)),
    page("GET", f"{P}/locations/{{home.pk}}/", 200, PRACTICE_ADMINS),
    page("POST", f"{P}/locations/{{home.pk}}/", 302, PRACTICE_ADMINS, data=_location_edit),
    page("POST", f"{P}/locations/{{home.pk}}/hours/", 302, PRACTICE_ADMINS, data=_hours),
    page("POST", f"{P}/locations/{{other.pk}}/deactivate/", 302, PRACTICE_ADMINS),
    page("GET", f"{P}/providers/", 200, PRACTICE_ADMINS),
    page("GET", f"{P}/providers/new/", 200, PRACTICE_ADMINS),
    page("POST", f"{P}/providers/new/", 302, PRACTICE_ADMINS, data=_provider),
    page("GET", f"{P}/providers/{{doc.pk}}/", 200, PRACTICE_ADMINS),
    page("POST", f"{P}/providers/{{doc.pk}}/", 302, PRACTICE_ADMINS, data=_provider_edit),
    page("POST", f"{P}/providers/{{doc.pk}}/deactivate/", 302, PRACTICE_ADMINS),
    page("GET", f"{P}/rooms/", 200, PRACTICE_ADMINS),
    page("GET", f"{P}/rooms/new/", 200, PRACTICE_ADMINS),
    page("POST", f"{P}/rooms/new/", 302, PRACTICE_ADMINS,
         data=lambda w: {"location_id": str(w.home.pk), "name": "Exam 99", "kind": "exam"}),
    page("GET", f"{P}/rooms/{{room.pk}}/", 200, PRACTICE_ADMINS),
    page("POST", f"{P}/rooms/{{room.pk}}/", 302, PRACTICE_ADMINS,
         data=lambda w: {"name": "Exam 1", "kind": "procedure", "active": "on"}),
    page("POST", f"{P}/rooms/{{room.pk}}/deactivate/", 302, PRACTICE_ADMINS),
    page("GET", f"{P}/equipment/", 200, PRACTICE_ADMINS),
    page("GET", f"{P}/equipment/new/", 200, PRACTICE_ADMINS),
    page("POST", f"{P}/equipment/new/", 302, PRACTICE_ADMINS,
         data=lambda w: {"location_id": str(w.home.pk), "name": "ECG-99", "kind": "ecg"}),
    page("GET", f"{P}/equipment/{{practice_equipment.pk}}/", 200, PRACTICE_ADMINS),
    page("POST", f"{P}/equipment/{{practice_equipment.pk}}/", 302, PRACTICE_ADMINS,
         data=lambda w: {"name": "US-9", "kind": "ultrasound", "active": "on"}),
    page("POST", f"{P}/equipment/{{practice_equipment.pk}}/deactivate/", 302, PRACTICE_ADMINS),

    api("GET", "/api/v1/organizations", 200, PRACTICE_ADMINS),
    api("GET", "/api/v1/organizations/{home.organization_id}", 200, PRACTICE_ADMINS),
    api("PATCH", "/api/v1/organizations/{home.organization_id}", 200, PRACTICE_ADMINS),
    api("GET", "/api/v1/locations", 200, PRACTICE_ADMINS),
    api("POST", "/api/v1/locations", 201, PRACTICE_ADMINS,
        body=lambda w: {"code": "matrix-api", "name": "API Annex", "addressLine": "2 Annex Way",
                        "city": "Springfield", "state": "MA", "postalCode": "01103", "phone": "(413) 555-0112",
                        "timeZone": "America/New_York"}),
    api("GET", "/api/v1/locations/{home.pk}", 200, PRACTICE_ADMINS),
    api("PATCH", "/api/v1/locations/{home.pk}", 200, PRACTICE_ADMINS),
    api("POST", "/api/v1/locations/{other.pk}/deactivate", 200, PRACTICE_ADMINS),
    api("GET", "/api/v1/locations/{home.pk}/hours", 200, PRACTICE_ADMINS),
    Row("PUT", "/api/v1/locations/{home.pk}/hours", 200, PRACTICE_ADMINS, anon=401,
        data=lambda w: json.dumps({"hours": [{"weekday": 0, "opens": "08:00", "closes": "17:00"}]}),
        content_type="application/json"),
    api("GET", "/api/v1/practitioners", 200, PRACTICE_ADMINS),
    api("POST", "/api/v1/practitioners", 201, PRACTICE_ADMINS,
        body=lambda w: {"firstName": "Mia", "lastName": "Matrix", "npi": NEW_NPI, "locations": [w.home.pk]}),
    api("GET", "/api/v1/practitioners/{doc.pk}", 200, PRACTICE_ADMINS),
    api("PATCH", "/api/v1/practitioners/{doc.pk}", 200, PRACTICE_ADMINS),
    api("POST", "/api/v1/practitioners/{doc.pk}/deactivate", 200, PRACTICE_ADMINS),
    api("GET", "/api/v1/rooms", 200, PRACTICE_ADMINS),
    api("POST", "/api/v1/rooms", 201, PRACTICE_ADMINS,
        body=lambda w: {"location": w.home.pk, "name": "Exam 98", "kind": "exam"}),
    api("GET", "/api/v1/rooms/{room.pk}", 200, PRACTICE_ADMINS),
    api("PATCH", "/api/v1/rooms/{room.pk}", 200, PRACTICE_ADMINS),
    api("POST", "/api/v1/rooms/{room.pk}/deactivate", 200, PRACTICE_ADMINS),
    api("GET", "/api/v1/equipment", 200, PRACTICE_ADMINS),
    api("POST", "/api/v1/equipment", 201, PRACTICE_ADMINS,
        body=lambda w: {"location": w.home.pk, "name": "ECG-98", "kind": "ecg"}),
    api("GET", "/api/v1/equipment/{practice_equipment.pk}", 200, PRACTICE_ADMINS),
    api("PATCH", "/api/v1/equipment/{practice_equipment.pk}", 200, PRACTICE_ADMINS),
    api("POST", "/api/v1/equipment/{practice_equipment.pk}/deactivate", 200, PRACTICE_ADMINS),
]


def objects(world: Any) -> dict[str, Any]:
    """Extra objects the rows above name ("{name.pk}"), built once per module at Downtown; {} when none."""
    from tests.factories import EquipmentFactory

    return {"practice_equipment": EquipmentFactory(location=world.home, name="US-1", kind="ultrasound")}
