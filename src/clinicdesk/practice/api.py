"""The practice set-up in the JSON API (/api/v1/): the organization, locations (and their weekly opening hours),
practitioners, rooms and equipment. Declared once each (core.resources); the services decide everything."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from clinicdesk.core.api import api_login_required, json_body
from clinicdesk.core.exceptions import ValidationFailed
from clinicdesk.core.permissions import Perm
from clinicdesk.core.resources import ApiField, ApiResource

from . import selectors, services
from .models import Equipment, Room

ORGANIZATIONS = ApiResource(
    write_perm=Perm.PRACTICE_ADMIN,
    path="organizations", schema="Organization", tag="practice", noun="organization",
    description="The practice's one organization: it is set up on the first screen or the first PATCH and is "
                "never added or removed through the API.",
    fields=(ApiField.ident(), ApiField.text("name", required=True, max_length=200),
            ApiField.text("taxId", max_length=12, description="Employer identification number, NN-NNNNNNN."),
            ApiField.text("npi", max_length=10, description="Billing (group) NPI: ten digits with a check digit."),
            ApiField.text("phone", max_length=20)),
    list=lambda actor, include_inactive: selectors.organizations_list(actor=actor),
    read=lambda actor, pk: selectors.organization_detail(actor=actor, organization_id=pk),
    update=lambda actor, pk, values: services.organization_update(actor=actor, organization_id=pk, **values),
)

LOCATIONS = ApiResource(
    write_perm=Perm.PRACTICE_ADMIN,
    path="locations", schema="Location", tag="practice", noun="location",
    description="A place the practice sees patients. Its weekly opening hours are at /api/v1/locations/{pk}/hours.",
    fields=(ApiField.ident(), ApiField.text("code", required=True, max_length=20),
            ApiField.text("name", required=True, max_length=120),
            ApiField.text("addressLine", required=True, max_length=200),
            ApiField.text("city", required=True, max_length=80),
            ApiField.text("state", required=True, max_length=2, description="Two-letter state code."),
            ApiField.text("postalCode", required=True, max_length=10, description="ZIP or ZIP+4."),
            ApiField.text("phone", required=True, max_length=20),
            ApiField.text("timeZone", required=True, max_length=64, description="IANA zone, e.g. America/New_York."),
            ApiField.flag("active", description="Send true to reactivate a deactivated location.")),
    list=lambda actor, include_inactive: selectors.locations_list(actor=actor, include_inactive=include_inactive),
    read=lambda actor, pk: selectors.location_detail(actor=actor, location_id=pk),
    create=lambda actor, values: services.location_create(actor=actor, **{k: v for k, v in values.items()
                                                                          if k != "active"}),
    update=lambda actor, pk, values: services.location_update(actor=actor, location_id=pk, **values),
    deactivate=lambda actor, pk: services.location_deactivate(actor=actor, location_id=pk),
)

PRACTITIONERS = ApiResource(
    write_perm=Perm.PRACTICE_ADMIN,
    path="practitioners", schema="Practitioner", tag="practice", noun="practitioner",
    fields=(ApiField.ident(), ApiField.text("firstName", required=True, max_length=80),
            ApiField.text("lastName", required=True, max_length=80),
            ApiField.text("credentials", max_length=40),
            ApiField.text("npi", required=True, max_length=10, description="Ten digits with a check digit."),
            ApiField.texts("specialties", attr="specialty_codes",
                           get=lambda p: [s.code for s in p.specialties.all()],
                           description="Specialty codes; the first is the one shown beside the name."),
            ApiField.refs("locations", attr="location_ids", required=True,
                          get=lambda p: sorted(loc.pk for loc in p.locations.all())),
            ApiField.integer("minPatientAge", nullable=True, minimum=0, maximum=130),
            ApiField.integer("maxPatientAge", nullable=True, minimum=0, maximum=130),
            ApiField.text("color", max_length=7, description="#RRGGBB, the provider's colour on the schedule."),
            ApiField.flag("active", description="Send true to reactivate a deactivated practitioner.")),
    list=lambda actor, include_inactive: selectors.practitioners_list(actor=actor,
                                                                      include_inactive=include_inactive),
    read=lambda actor, pk: selectors.practitioner_detail(actor=actor, practitioner_id=pk),
    create=lambda actor, values: services.practitioner_create(actor=actor, **{k: v for k, v in values.items()
                                                                              if k != "active"}),
    update=lambda actor, pk, values: services.practitioner_update(actor=actor, practitioner_id=pk, **values),
    deactivate=lambda actor, pk: services.practitioner_deactivate(actor=actor, practitioner_id=pk),
)


def _resource_fields(kinds: list[str]) -> tuple[ApiField, ...]:
    return (ApiField.ident(), ApiField.ref("location", create_only=True, required=True),
            ApiField.text("name", required=True, max_length=60), ApiField.choice("kind", kinds, required=True),
            ApiField.flag("active", description="Send true to reactivate."))


def _without_active(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if k != "active"}


ROOMS = ApiResource(
    write_perm=Perm.PRACTICE_ADMIN,
    path="rooms", schema="Room", tag="practice", noun="room", fields=_resource_fields(list(Room.Kind.values)),
    list=lambda actor, include_inactive: selectors.rooms_list(actor=actor, include_inactive=include_inactive),
    read=lambda actor, pk: selectors.room_detail(actor=actor, room_id=pk),
    create=lambda actor, values: services.room_create(actor=actor, **_without_active(values)),
    update=lambda actor, pk, values: services.room_update(actor=actor, room_id=pk, **values),
    deactivate=lambda actor, pk: services.room_deactivate(actor=actor, room_id=pk),
)

EQUIPMENT = ApiResource(
    write_perm=Perm.PRACTICE_ADMIN,
    path="equipment", schema="Equipment", tag="practice", noun="piece of equipment",
    fields=_resource_fields(list(Equipment.Kind.values)),
    list=lambda actor, include_inactive: selectors.equipment_list(actor=actor, include_inactive=include_inactive),
    read=lambda actor, pk: selectors.equipment_detail(actor=actor, equipment_id=pk),
    create=lambda actor, values: services.equipment_create(actor=actor, **_without_active(values)),
    update=lambda actor, pk, values: services.equipment_update(actor=actor, equipment_id=pk, **values),
    deactivate=lambda actor, pk: services.equipment_deactivate(actor=actor, equipment_id=pk),
)


# --- a location's weekly opening hours: the whole week read and replaced at once -------------------------------

def _hours_json(location_id: int, rows: Any) -> dict[str, Any]:
    return {"location": location_id, "hours": [{"weekday": day, "opens": opens, "closes": closes}
                                               for day, opens, closes in services.hours_snapshot(rows)]}


def _parse_hours(data: dict[str, Any]) -> list[tuple[int, Any, Any]]:
    rows = data.get("hours")
    if not isinstance(rows, list):
        raise ValidationFailed("bad-field", _("'hours' must be a list of periods."),
                               fields={"hours": [_("Must be a list of periods.")]})
    if len(rows) > 100:
        raise ValidationFailed("bad-field", _("At most 100 periods a week."),
                               fields={"hours": [_("At most 100 periods.")]})
    parsed = []
    for index, row in enumerate(rows):
        if not isinstance(row, dict):
            raise ValidationFailed("bad-field", _("Each period is an object with weekday, opens and closes."),
                                   fields={f"hours[{index}]": [_("Must be an object.")]})
        values = []
        for field in (ApiField.integer(f"hours[{index}].weekday", minimum=0, maximum=6),
                      ApiField.time(f"hours[{index}].opens"), ApiField.time(f"hours[{index}].closes")):
            raw = row.get(field.name.rsplit(".", 1)[1])
            if raw is None:
                raise ValidationFailed("missing-field", _("'%(name)s' is required.") % {"name": field.name},
                                       fields={field.name: [_("Required.")]})
            values.append(field.parse(raw))
        parsed.append((values[0], values[1], values[2]))
    return parsed


@require_http_methods(["GET", "PUT"])
@api_login_required
def location_hours(request: HttpRequest, pk: int) -> HttpResponse:
    if request.method == "PUT":
        rows = services.location_hours_set(actor=request.user, location_id=pk, hours=_parse_hours(json_body(request)))
        return JsonResponse(_hours_json(pk, rows))
    location = selectors.location_detail(actor=request.user, location_id=pk)
    return JsonResponse(_hours_json(pk, location.hours.all()))
