"""Staff rosters in the JSON API (/api/v1/): shift types and skills as declared resources (core.resources); a roster
with its assignments, solving a period into a draft and publishing it as described operations (api_urls.py).
The services decide everything."""

from __future__ import annotations

from typing import Any, cast

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.http import require_GET, require_POST

from clinicdesk.core.api import api_login_required, json_body
from clinicdesk.core.permissions import Actor, Perm
from clinicdesk.core.resources import ApiField, ApiResource, parse_members

from . import selectors, services
from .models import Roster

SHIFT_TYPES = ApiResource(
    write_perm=Perm.STAFFING_ADMIN,
    path="shift-types", schema="ShiftType", tag="staffing", noun="shift type",
    description="A shift worked at a location: its code in the roster grid, its hours (`crossesMidnight` when it "
                "ends the next day) and the minutes paid.",
    fields=(ApiField.ident(), ApiField.ref("location", required=True, create_only=True),
            ApiField.text("code", required=True, max_length=8), ApiField.text("name", required=True, max_length=80),
            ApiField.time("start", required=True), ApiField.time("end", required=True),
            ApiField.flag("crossesMidnight"),
            ApiField.integer("paidMinutes", required=True, minimum=1, maximum=1440),
            ApiField.flag("active", description="Send true to reactivate.")),
    list=lambda actor, include_inactive: selectors.shift_types_list(actor=actor, include_inactive=include_inactive),
    read=lambda actor, pk: selectors.shift_type_detail(actor=actor, shift_type_id=pk),
    create=lambda actor, values: services.shift_type_create(actor=actor, **values),
    update=lambda actor, pk, values: services.shift_type_update(actor=actor, shift_type_id=pk, **values),
    deactivate=lambda actor, pk: services.shift_type_deactivate(actor=actor, shift_type_id=pk),
)

SKILLS = ApiResource(
    write_perm=Perm.STAFFING_ADMIN,
    path="skills", schema="Skill", tag="staffing", noun="skill",
    description="Something staff can do (front desk, phlebotomy, X-ray, Spanish speaker...), named by cover needs.",
    fields=(ApiField.ident(), ApiField.text("name", required=True, max_length=80),
            ApiField.flag("active", description="Send true to reactivate.")),
    list=lambda actor, include_inactive: selectors.skills_list(actor=actor, include_inactive=include_inactive),
    read=lambda actor, pk: selectors.skill_detail(actor=actor, skill_id=pk),
    create=lambda actor, values: services.skill_create(actor=actor, **values),
    update=lambda actor, pk, values: services.skill_update(actor=actor, skill_id=pk, **values),
    deactivate=lambda actor, pk: services.skill_deactivate(actor=actor, skill_id=pk),
)

_SOLVE_FIELDS = (ApiField.ref("location", required=True), ApiField.date("periodStart", required=True),
                 ApiField.integer("seconds", minimum=1, maximum=int(services.MAX_SECONDS)))


def roster_json(roster: Roster) -> dict[str, Any]:
    assignments = roster.assignments.select_related("shift_type").order_by("date", "staff_id")
    return {
        "id": roster.pk, "location": roster.location_id, "periodStart": roster.period_start.isoformat(),
        "periodEnd": roster.period_end.isoformat(), "status": roster.status, "objective": roster.objective,
        "breakdown": {rule: int(cost) for rule, cost in roster.breakdown.items()},
        "solverStatus": roster.solver_status, "solvedAt": roster.solved_at.isoformat() if roster.solved_at else None,
        "basedOn": roster.based_on_id, "changes": roster.changes,
        "assignments": [{"staffMember": a.staff_id, "date": a.date.isoformat(), "shiftType": a.shift_type_id,
                         "code": a.shift_type.code} for a in assignments],
    }


@require_GET
@api_login_required
def roster(request: HttpRequest, pk: int) -> HttpResponse:
    return JsonResponse(roster_json(selectors.roster_detail(actor=cast(Actor, request.user), roster_id=pk)))


@require_POST
@api_login_required
def roster_solve(request: HttpRequest) -> HttpResponse:
    data = json_body(request, required=True)
    values = parse_members(_SOLVE_FIELDS, data)
    made = services.roster_solve(actor=cast(Actor, request.user), location_id=values["location_id"],
                                 period_start=values["period_start"],
                                 seconds=float(values.get("seconds", services.DEFAULT_SECONDS)))
    return JsonResponse(roster_json(made), status=201)


@require_POST
@api_login_required
def roster_publish(request: HttpRequest, pk: int) -> HttpResponse:
    return JsonResponse(roster_json(services.roster_publish(actor=cast(Actor, request.user), roster_id=pk)))
