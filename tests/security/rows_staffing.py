"""Access-matrix rows for the staffing app (staff rosters). See matrix.py for what a row means.

Who: every staff role but the system administrator (staffing.read) sees the published roster of their locations and
their own shifts; the practice coordinator (staffing.admin) runs shift types, skills, contracts, cover needs, solves
and publishes. A roster of another location, a draft roster (for anyone but the coordinator), a contract and a
cover need are hidden (404) from anyone who may not act on them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from .matrix import ADMIN, COMP, EVERYONE, FD, NURSE, PRC, Row, api, page
from .world import TODAY

READERS = EVERYONE - {ADMIN}
ADMINS = frozenset({PRC})
ST = "/staffing"
AT = "?location={home.pk}"
HIDDEN = {"denied": 404}
OFFERERS = frozenset({FD, PRC})  # the front desk holds the shift (objects() below), the coordinator acts for anyone
NO_CONTRACT = {PRC: 422, COMP: 422}  # staffing.read but no contract: they work no shifts
NURSE_OR_COORDINATOR = frozenset({NURSE, PRC})


def _claim(w: Any, *, api: bool) -> dict[str, Any]:
    """Yesterday's early shift of the published roster: past, so never open."""
    roster, shift, day = w.objects["staff_published"].pk, w.objects["staff_shift"].pk, TODAY - dt.timedelta(days=1)
    if api:
        return {"roster": roster, "date": day.isoformat(), "shiftType": shift}
    return {"roster": str(roster), "date": day.isoformat(), "shift_type": str(shift), "skill": ""}


def _shift_form(**changes: Any) -> dict[str, Any]:
    return {"code": "M", "name": "Matrix middle", "start": "10:00", "end": "18:00", "paid_minutes": "450",
            "active": "on", **changes}


def _contract_form(w: Any, **changes: Any) -> dict[str, Any]:
    return {"min_hours_week": "10", "max_hours_week": "30", "max_consecutive_shifts": "5",
            "min_rest_minutes": "660", "max_weekends": "2", "active": "on",
            "skill_ids": [str(w.objects["staff_skill"].pk)], "unavailable_weekdays": ["6"], **changes}


ROWS: list[Row] = [
    # the roster, my shifts
    page("GET", f"{ST}/{AT}", 200, READERS),
    page("POST", f"{ST}/solve/", 302, ADMINS,
         data=lambda w: {"location": str(w.home.pk), "start": TODAY.isoformat(), "seconds": "1"}),
    page("POST", f"{ST}/rosters/{{staff_draft.pk}}/publish/", 302, ADMINS, **HIDDEN),
    page("GET", f"{ST}/mine/", 200, READERS, elsewhere=None),
    # configuration
    page("GET", f"{ST}/shift-types/{AT}", 200, ADMINS),
    page("GET", f"{ST}/shift-types/new/{AT}", 200, ADMINS),
    page("POST", f"{ST}/shift-types/new/{AT}", 302, ADMINS, data=lambda w: _shift_form()),
    page("GET", f"{ST}/shift-types/{{staff_shift.pk}}/", 200, ADMINS),
    page("POST", f"{ST}/shift-types/{{staff_shift.pk}}/", 302, ADMINS,
         data=lambda w: _shift_form(code="E", name="Early", start="07:00", end="15:00")),
    page("GET", f"{ST}/skills/", 200, ADMINS),
    page("GET", f"{ST}/skills/new/", 200, ADMINS),
    page("POST", f"{ST}/skills/new/", 302, ADMINS, data=lambda w: {"name": "Matrix sign language", "active": "on"}),
    page("GET", f"{ST}/skills/{{staff_skill.pk}}/", 200, ADMINS),
    page("POST", f"{ST}/skills/{{staff_skill.pk}}/", 302, ADMINS,
         data=lambda w: {"name": "Matrix phlebotomy", "active": "on"}),
    page("GET", f"{ST}/staff/{AT}", 200, ADMINS),
    page("GET", f"{ST}/staff/new/{AT}", 200, ADMINS),
    page("POST", f"{ST}/staff/new/{AT}", 302, ADMINS,
         data=lambda w: _contract_form(w, user_id=str(w.objects["staff_newcomer"].pk))),
    page("GET", f"{ST}/staff/{{staff_member.pk}}/", 200, ADMINS, **HIDDEN),
    page("POST", f"{ST}/staff/{{staff_member.pk}}/", 302, ADMINS, **HIDDEN, data=lambda w: _contract_form(w)),
    page("GET", f"{ST}/cover/{AT}", 200, ADMINS),
    page("GET", f"{ST}/cover/new/{AT}", 200, ADMINS),
    page("POST", f"{ST}/cover/new/{AT}", 302, ADMINS,
         data=lambda w: {"weekday": "6", "shift_type_id": str(w.objects["staff_shift"].pk), "count": "1",
                         "under_weight": "100", "over_weight": "1"}),
    page("POST", f"{ST}/cover/{{staff_need.pk}}/delete/", 302, ADMINS, **HIDDEN),

    # JSON API
    api("GET", "/api/v1/shift-types", 200, READERS, elsewhere=None),
    api("POST", "/api/v1/shift-types", 201, ADMINS,
        body=lambda w: {"location": w.home.pk, "code": "A", "name": "Matrix API", "start": "09:00",
                        "end": "13:00", "paidMinutes": 240}),
    api("GET", "/api/v1/shift-types/{staff_shift.pk}", 200, READERS),
    api("PATCH", "/api/v1/shift-types/{staff_shift.pk}", 200, ADMINS, body=lambda w: {"name": "Early bird"}),
    api("POST", "/api/v1/shift-types/{staff_shift.pk}/deactivate", 200, ADMINS),
    api("GET", "/api/v1/skills", 200, READERS, elsewhere=None),
    api("POST", "/api/v1/skills", 201, ADMINS, body=lambda w: {"name": "Matrix API skill"}),
    api("GET", "/api/v1/skills/{staff_skill.pk}", 200, READERS, elsewhere=None),
    api("PATCH", "/api/v1/skills/{staff_skill.pk}", 200, ADMINS, body=lambda w: {"name": "Matrix venipuncture"}),
    api("POST", "/api/v1/skills/{staff_skill.pk}/deactivate", 200, ADMINS),
    api("GET", "/api/v1/rosters/{staff_published.pk}", 200, READERS, **HIDDEN),
    api("GET", "/api/v1/rosters/{staff_draft.pk}", 200, ADMINS, **HIDDEN, case="draft",
        why="a draft is the coordinator's until published"),
    api("POST", "/api/v1/rosters/solve", 201, ADMINS,
        body=lambda w: {"location": w.home.pk, "periodStart": TODAY.isoformat(), "seconds": 1}),
    api("POST", "/api/v1/rosters/{staff_draft.pk}/publish", 200, ADMINS, **HIDDEN),

    # leave (#20 item 4): everyone asks for their own and sees who is away; the coordinator decides and covers
    page("GET", f"{ST}/leave/{AT}", 200, READERS),
    page("GET", f"{ST}/leave/new/{AT}", 200, READERS),
    page("POST", f"{ST}/leave/new/{AT}", 302, READERS,
         data=lambda w: {"kind": "vacation", "first_day": "2027-02-01", "last_day": "2027-02-05"}),
    page("GET", f"{ST}/leave/{{staff_leave.pk}}/", 200, ADMINS, **HIDDEN, who={NURSE: 200},
         why="a leave is its person's and the coordinator's"),
    page("GET", f"{ST}/leave/{{staff_provider_leave.pk}}/", 200, ADMINS, **HIDDEN, case="cover",
         why="the cover proposals name patients: the coordinator only"),
    page("POST", f"{ST}/leave/{{staff_leave.pk}}/approve/", 302, ADMINS, **HIDDEN),
    page("POST", f"{ST}/leave/{{staff_leave.pk}}/decline/", 302, ADMINS, **HIDDEN,
         data=lambda w: {"note": "The week is short-staffed"}),
    page("POST", f"{ST}/leave/{{staff_leave.pk}}/cancel/", 302, ADMINS, **HIDDEN, who={NURSE: 302},
         why="the person withdraws their own request"),
    page("POST", f"{ST}/leave/{{staff_provider_leave.pk}}/cover/", 302, ADMINS, **HIDDEN,
         data=lambda w: {"move": [w.objects["staff_cover_move"]]}),
    api("GET", f"/api/v1/leave{AT}", 200, ADMINS, outsider=404, why="another location looks like a missing one"),
    api("POST", "/api/v1/leave", 201, READERS, elsewhere=None,
        body=lambda w: {"kind": "personal", "firstDay": "2027-03-01", "lastDay": "2027-03-01"}),
    api("GET", "/api/v1/leave/{staff_leave.pk}", 200, ADMINS, **HIDDEN, who={NURSE: 200}),
    api("POST", "/api/v1/leave/{staff_leave.pk}/approve", 200, ADMINS, **HIDDEN),
    api("POST", "/api/v1/leave/{staff_leave.pk}/decline", 200, ADMINS, **HIDDEN, body=lambda w: {"note": "Short"}),
    api("POST", "/api/v1/leave/{staff_leave.pk}/cancel", 200, ADMINS, **HIDDEN, who={NURSE: 200}),
    api("GET", "/api/v1/leave/{staff_provider_leave.pk}/cover-proposals", 200, ADMINS, **HIDDEN),
    api("POST", "/api/v1/leave/{staff_provider_leave.pk}/cover", 200, ADMINS, **HIDDEN,
        body=lambda w: {"moves": [w.objects["staff_cover_api_move"]]}),

    # swaps and open shifts (#20 item 5): everyone offers, takes and claims; the coordinator decides
    page("GET", f"{ST}/swaps/{AT}", 200, READERS),
    page("GET", f"{ST}/requests/new/{AT}", 200, READERS),
    api("GET", "/api/v1/swaps/{staff_swap.pk}", 200, READERS, **HIDDEN,
        why="an offer to anyone is seen by the location's staff"),
    api("POST", "/api/v1/swaps/{staff_swap.pk}/approve", 409, ADMINS, **HIDDEN,
        why="an offer nobody took cannot be approved; outsiders do not learn it exists"),
    api("POST", "/api/v1/swaps", 201, OFFERERS, **HIDDEN, body=lambda w: {"assignment": w.objects["staff_fd_shift"]},
        why="one's own shift, or the coordinator for anyone; another's shift looks like a missing one"),
    page("POST", f"{ST}/swaps/offer/{AT}", 302, READERS, flash_ok=False,
         data=lambda w: {"assignment_id": str(w.objects["staff_fd_shift"]), "offered_to_id": ""},
         why="the form lists only one's own shifts: anyone else's choice comes back as a message"),
    api("POST", "/api/v1/swaps/{staff_nurse_offer.pk}/take", 200, frozenset({NURSE}), **HIDDEN, who=NO_CONTRACT,
        why="an offer to a named colleague is theirs alone; staff without a contract are refused (422)"),
    page("POST", f"{ST}/swaps/{{staff_nurse_offer.pk}}/take/", 302, frozenset({NURSE}), **HIDDEN,
         who={PRC: 302, COMP: 302}, flash_ok=False,
         why="as the API; the refusal of staff without a contract comes back as a message"),
    page("POST", f"{ST}/swaps/{{staff_taken.pk}}/approve/", 302, ADMINS, **HIDDEN),
    api("POST", "/api/v1/swaps/{staff_taken.pk}/decline", 200, ADMINS, **HIDDEN, body=lambda w: {"note": "Short"}),
    page("POST", f"{ST}/swaps/{{staff_taken.pk}}/decline/", 302, ADMINS, **HIDDEN,
         data=lambda w: {"note": "The week is short-staffed"}),
    api("POST", "/api/v1/swaps/{staff_fd_swap.pk}/cancel", 200, OFFERERS, **HIDDEN,
        why="the giver, the taker or the coordinator withdraws it"),
    page("POST", f"{ST}/swaps/{{staff_fd_swap.pk}}/cancel/", 302, OFFERERS, **HIDDEN),
    api("POST", "/api/v1/open-shifts/claim", 422, READERS, **HIDDEN, case="a shift that is not open",
        body=lambda w: _claim(w, api=True),
        why="yesterday's shift is not open: a rule refusal for the location's staff; outsiders learn nothing"),
    page("POST", f"{ST}/swaps/claim/", 302, READERS, **HIDDEN, case="a shift that is not open", flash_ok=False,
         data=lambda w: _claim(w, api=False), why="as the API; the refusal comes back as a message"),
    # training (#20 item 6): everyone sees and records their own; the coordinator the matrix and anyone's
    page("GET", f"{ST}/training/{AT}", 200, READERS),
    page("GET", f"{ST}/training/record/{AT}", 200, READERS),
    api("GET", "/api/v1/trainings", 200, READERS, elsewhere=None),
    api("POST", "/api/v1/training-records", 201, NURSE_OR_COORDINATOR, **HIDDEN, who={ADMIN: 403},
        body=lambda w: {"user": w.users[NURSE].pk, "training": w.objects["staff_training"].pk,
                        "completedOn": (TODAY - dt.timedelta(days=30)).isoformat()},
        why="one's own record, or the coordinator's for their staff; anyone else's person looks missing"),
    page("GET", f"{ST}/training/records/{{staff_record.pk}}/certificate/", 200, NURSE_OR_COORDINATOR, **HIDDEN,
         who={ADMIN: 403}, why="a certificate is its person's and the coordinator's"),
    page("GET", f"{ST}/training/{{staff_training.pk}}/", 200, ADMINS, elsewhere=None,
         why="the practice's trainings are practice-wide configuration"),
    page("POST", f"{ST}/training/{{staff_training.pk}}/", 302, ADMINS, elsewhere=None,
         data=lambda w: {"name": "HIPAA privacy", "roles": ["nurse", "front_desk"], "valid_months": "12",
                         "active": "on"}),
    # time and attendance (#20 item 7): everyone clocks (their own, or a colleague at the desk by ID and PIN);
    # the coordinator sees the board and the pay period, corrects punches and sets the pay period
    page("GET", f"{ST}/clock/{AT}", 200, READERS),
    page("POST", f"{ST}/clock/punch/{AT}", 302, READERS, flash_ok=False, data=lambda w: {"action": "in"},
         why="staff without a contract are told there is nothing to clock"),
    page("POST", f"{ST}/clock/desk/{AT}", 302, READERS,
         data=lambda w: {"staff_id": str(w.objects["staff_nurse_member"].pk), "pin": CLOCK_PIN, "action": "in"},
         why="any desk of the location clocks a colleague in by staff ID and PIN"),
    page("POST", f"{ST}/clock/pin/{AT}", 302, READERS, flash_ok=False,
         data=lambda w: {"staff_member_id": str(w.objects["staff_nurse_member"].pk), "pin": "2580",
                         "pin_again": "2580"},
         why="one's own PIN or, for the coordinator, anyone's: another's choice comes back as a message"),
    page("GET", f"{ST}/clock/board/{AT}", 200, ADMINS),
    page("GET", f"{ST}/clock/hours/{AT}", 200, ADMINS),
    page("GET", f"{ST}/clock/hours.csv{AT}", 200, ADMINS),
    page("GET", f"{ST}/clock/settings/", 200, ADMINS, elsewhere=None),
    page("POST", f"{ST}/clock/settings/", 302, ADMINS, elsewhere=None,
         data=lambda w: {"pay_period": "biweekly", "anchor": "2026-01-05", "grace_minutes": "7"}),
    page("GET", f"{ST}/clock/punches/{{staff_punch.pk}}/", 200, ADMINS, **HIDDEN),
    page("POST", f"{ST}/clock/punches/{{staff_punch.pk}}/", 302, ADMINS, **HIDDEN,
         data=lambda w: {"clock_in": f"{YESTERDAY}T07:05", "clock_out": f"{YESTERDAY}T15:00",
                         "reason": "Matrix correction"}),
    api("POST", "/api/v1/clock/punches", 201, READERS, who=NO_CONTRACT, elsewhere=422, body=lambda w: {"action": "in"},
        why="one's own clock-in; staff without a contract (and those elsewhere have none here) are refused (422)"),
    api("POST", "/api/v1/clock/pin", 204, NURSE_OR_COORDINATOR, **HIDDEN,
        body=lambda w: {"staffMember": w.objects["staff_nurse_member"].pk, "pin": "2580"},
        why="one's own PIN, or the coordinator's for their staff; anyone else's looks missing"),
    api("POST", "/api/v1/clock/punches/{staff_punch.pk}/correct", 200, ADMINS, **HIDDEN,
        body=lambda w: {"clockIn": f"{YESTERDAY}T12:05:00+00:00", "clockOut": f"{YESTERDAY}T20:00:00+00:00",
                        "reason": "Matrix correction"}),
    api("GET", f"/api/v1/clock/attendance{AT}", 200, ADMINS, outsider=404,
        why="another location looks like a missing one"),
    api("GET", f"/api/v1/clock/pay-period{AT}", 200, ADMINS, outsider=404),
]

CLOCK_PIN = "4821"
YESTERDAY = (TODAY - dt.timedelta(days=1)).isoformat()


def objects(world: Any) -> dict[str, Any]:
    """Shift types, skills, contracts for five Downtown staff, cover needs, this period's published roster and a
    re-solved draft of it, and a Downtown user without a contract yet."""
    from clinicdesk.staffing import services
    from clinicdesk.staffing.demo import staffing_demo
    from clinicdesk.staffing.models import CoverNeed
    from tests.factories import UserFactory

    coordinator = world.users[PRC]
    team = [world.users[role] for role in ("front_desk", "patient_coordinator", "nurse", "provider", "billing")]
    setup = staffing_demo(actor=coordinator, location_id=world.home.pk, users=team,
                          period_start=services.period_of(TODAY), seconds=2, workers=2)
    draft = services.roster_solve(actor=coordinator, location_id=world.home.pk,
                                  period_start=services.period_of(TODAY), seconds=1, workers=2)
    leave = _leave_objects(world)
    swap = _swap(coordinator, setup.roster)
    return {**leave, "staff_shift": setup.shifts["E"], "staff_skill": setup.skills["Phlebotomy"],
            "staff_member": setup.members[0], "staff_need": CoverNeed.objects.filter(location=world.home).first(),
            "staff_published": setup.roster, "staff_draft": draft, "staff_swap": swap,
            **_swap_objects(world, setup.roster), **_training_objects(world), **_clock_objects(world),
            "staff_newcomer": UserFactory(role="front_desk", location=world.home, username="m-staffing-newcomer")}


def _swap(coordinator: Any, roster: Any) -> Any:
    """A coming shift of the published roster offered to anyone (by the coordinator, for its holder)."""
    from clinicdesk.staffing import swap_services
    from clinicdesk.staffing.models import RosterAssignment

    assignment = RosterAssignment.objects.filter(roster=roster, date__gte=TODAY).order_by("date", "pk").first()
    assert assignment is not None
    return swap_services.swap_offer(actor=coordinator, assignment_id=assignment.pk)


def _swap_objects(world: Any, roster: Any) -> dict[str, Any]:
    """Two coming shifts offered to the Downtown nurse, who can take them (the rules checked on the solved
    roster), the second already taken; the front desk's own shift on offer; and another front-desk shift to offer."""
    from django.db import transaction

    from clinicdesk.core.exceptions import ValidationFailed
    from clinicdesk.staffing import swap_services
    from clinicdesk.staffing.models import RosterAssignment, ShiftSwap, StaffMember

    coordinator, nurse, desk = world.users[PRC], world.users[NURSE], world.users[FD]
    nurse_member = StaffMember.objects.get(user=nurse, location=world.home)

    def free(assignment: Any) -> bool:
        return not ShiftSwap.objects.filter(roster=roster, from_staff_id=assignment.staff_id, date=assignment.date,
                                            status__in=["offered", "taken"], kind="offer").exists()

    def offer_to_nurse(assignment: Any) -> Any:
        try:
            with transaction.atomic():
                return swap_services.swap_offer(actor=coordinator, assignment_id=assignment.pk,
                                                offered_to_id=nurse_member.pk)
        except ValidationFailed:
            return None

    coming = RosterAssignment.objects.filter(roster=roster, date__gte=TODAY).order_by("date", "pk")
    offers = []
    for assignment in coming.exclude(staff=nurse_member):
        if len(offers) == 2:
            break
        if not free(assignment):
            continue
        offer = offer_to_nurse(assignment)
        if offer is None:
            # The solver may roster the nurse on every weekday at her maximum hours (which roster it returns
            # depends on what ran before: row ids), so that every offer breaks "one shift a day" or "maximum
            # hours". Then her own shift that day comes off the roster, and the offer is asked again.
            own_that_day = RosterAssignment.objects.filter(roster=roster, staff=nurse_member, date=assignment.date)
            if own_that_day.exists() and all(free(own) for own in own_that_day):  # none on offer elsewhere
                own_that_day.delete()
                offer = offer_to_nurse(assignment)
        if offer is not None:
            offers.append(offer)
    assert len(offers) == 2, "the nurse can take no coming shift of the matrix's roster"
    taken = swap_services.swap_take(actor=nurse, swap_id=offers[1].pk)
    own = [a for a in coming.filter(staff__user=desk) if free(a)]
    assert len(own) >= 2, "the front desk has too few coming shifts in the matrix's roster"
    desk_swap = swap_services.swap_offer(actor=desk, assignment_id=own[0].pk)
    return {"staff_nurse_offer": offers[0], "staff_taken": taken, "staff_fd_swap": desk_swap,
            "staff_fd_shift": own[1].pk}


def _training_objects(world: Any) -> dict[str, Any]:
    """The HIPAA training, and the Downtown nurse's completion of it with a PDF certificate."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from clinicdesk.staffing import training_services
    from clinicdesk.staffing.models import Training

    from .world import PDF_BYTES

    training_services.trainings_seed()
    hipaa = Training.objects.get(code="HIPAA")
    made = training_services.training_record_create(
        actor=world.users[PRC], user_id=world.users[NURSE].pk, training_id=hipaa.pk,
        completed_on=TODAY - dt.timedelta(days=60), evidence=SimpleUploadedFile(
            "hipaa.pdf", PDF_BYTES, content_type="application/pdf"))
    return {"staff_training": hipaa, "staff_record": made}


def _leave_objects(world: Any) -> dict[str, Any]:
    """The Downtown nurse's requested leave, and a Downtown provider's approved leave with one appointment to
    cover (a colleague of the same specialty is free then), with the proposed move as the form and the API send
    it."""
    import datetime as dt

    from clinicdesk.staffing import leave_selectors, leave_services
    from tests.factories import AppointmentFactory, PractitionerFactory, weekly_availability

    coordinator, nurse = world.users[PRC], world.users[NURSE]
    day = TODAY + dt.timedelta(days=3)
    requested = leave_services.leave_request(actor=nurse, kind="vacation", first_day=day, last_day=day)
    away, colleague = (PractitionerFactory(specialty="Matrix leave", last_name=name) for name in ("Away", "Cover"))
    for doctor in (away, colleague):
        weekly_availability(doctor, world.home)
    AppointmentFactory(location=world.home, practitioner=away, patient=world.objects["ana"],
                       start=dt.datetime(day.year, day.month, day.day, 15, 0, tzinfo=dt.UTC))
    leave = leave_services.leave_request(actor=coordinator, kind="vacation", first_day=day, last_day=day,
                                         practitioner_id=away.pk)
    leave_services.leave_approve(actor=coordinator, leave_id=leave.pk)
    [proposal] = leave_selectors.leave_cover_proposals(actor=coordinator, leave_id=leave.pk)
    option = proposal.option
    assert option is not None
    return {"staff_leave": requested, "staff_provider_leave": leave,
            "staff_cover_move": f"{proposal.appointment.pk}|{option.start.isoformat()}|{option.practitioner.pk}",
            "staff_cover_api_move": {"appointment": proposal.appointment.pk, "start": option.start.isoformat(),
                                     "practitioner": option.practitioner.pk}}


def _clock_objects(world: Any) -> dict[str, Any]:
    """The Downtown nurse's contract with a time clock PIN, and their closed punch of yesterday."""
    from clinicdesk.core.timezones import local_to_utc
    from clinicdesk.staffing import clock_services
    from clinicdesk.staffing.models import Punch, StaffMember

    member = StaffMember.objects.get(user=world.users[NURSE], location=world.home)
    clock_services.clock_pin_set(actor=world.users[NURSE], staff_member_id=member.pk, pin=CLOCK_PIN)
    day = TODAY - dt.timedelta(days=1)
    punch = Punch.objects.create(staff=member, location=world.home, clock_in=local_to_utc(day, dt.time(7, 20),
                                                                                          world.home.tz),
                                 clock_out=local_to_utc(day, dt.time(15), world.home.tz))
    return {"staff_nurse_member": member, "staff_punch": punch}
