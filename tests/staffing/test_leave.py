"""Leave (#20 item 4): requests and decisions, a provider's leave blocking the calendar with a cover proposal for
every appointment it affects, applied in one step through the booking service, and a staff member's leave taken
out of the roster."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from clinicdesk.audit.models import AuditEntry
from clinicdesk.comms.models import Channel, Kind, Message, ReminderRule
from clinicdesk.core.exceptions import Conflict, InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from clinicdesk.core.permissions import Role
from clinicdesk.scheduling.models import Appointment, AvailabilityException
from clinicdesk.staffing import leave_selectors, leave_services, services
from clinicdesk.staffing.demo import staffing_demo
from clinicdesk.staffing.leave_selectors import ProposalKind
from clinicdesk.staffing.leave_services import CoverMove
from clinicdesk.staffing.models import LeaveAllowance, LeaveStatus, RosterStatus
from tests.factories import AppointmentFactory, PatientFactory, PractitionerFactory, UserFactory, weekly_availability

pytestmark = pytest.mark.django_db

WED = dt.date(2026, 11, 25)  # the clock fixture stands on Monday 23 November 2026


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    """A New York wall time (EST, UTC-5) as UTC."""
    return dt.datetime(day.year, day.month, day.day, hour + 5, minute, tzinfo=dt.UTC)


@pytest.fixture
def coordinator(make_user):
    return make_user(Role.PRACTICE_COORDINATOR)


@pytest.fixture
def colleague(location):
    """Another family physician at the location, free every day 8:00-17:00."""
    doctor = PractitionerFactory(specialty="Family Medicine", last_name="Colleague")
    weekly_availability(doctor, location)
    return doctor


@pytest.fixture
def booked(location, provider, follow_up):
    """Three of the provider's appointments on Wednesday morning, each with its own patient."""
    return [AppointmentFactory(location=location, practitioner=provider, appointment_type=follow_up,
                               patient=PatientFactory(home_location=location, email=f"p{n}@example.org",
                                                      email_opt_in=True),
                               start=at(WED, 9, 20 * n)) for n in range(3)]


def test_a_person_asks_for_their_own_leave_and_overlaps_are_refused(clock, make_user):
    nurse = make_user(Role.NURSE)
    leave = leave_services.leave_request(actor=nurse, kind="vacation", first_day=WED, last_day=WED + dt.timedelta(2))
    assert leave.status == LeaveStatus.REQUESTED and leave.user == nurse and leave.days() == 3
    with pytest.raises(ValidationFailed, match="overlaps requested leave") as refused:
        leave_services.leave_request(actor=nurse, kind="personal", first_day=WED + dt.timedelta(2),
                                     last_day=WED + dt.timedelta(4))
    assert refused.value.code == "leave-overlaps"
    with pytest.raises(ValidationFailed) as backwards:
        leave_services.leave_request(actor=nurse, kind="sick", first_day=WED + dt.timedelta(9), last_day=WED)
    assert backwards.value.code == "end-before-start"
    assert AuditEntry.objects.filter(action="leave.request").count() == 1


def test_only_the_coordinator_enters_leave_for_someone_else(clock, make_user, coordinator):
    nurse, clerk = make_user(Role.NURSE), make_user(Role.FRONT_DESK)
    with pytest.raises(PermissionDenied):
        leave_services.leave_request(actor=clerk, kind="vacation", first_day=WED, last_day=WED, user_id=nurse.pk)
    leave = leave_services.leave_request(actor=coordinator, kind="sick", first_day=WED, last_day=WED,
                                         user_id=nurse.pk)
    assert leave.user == nurse and leave.requested_by == coordinator


def test_approving_a_provider_leave_blocks_the_calendar_and_cancelling_opens_it(clock, coordinator, provider):
    leave = leave_services.leave_request(actor=coordinator, kind="vacation", first_day=WED, last_day=WED,
                                         practitioner_id=provider.pk)
    leave = leave_services.leave_approve(actor=coordinator, leave_id=leave.pk)
    exception = AvailabilityException.objects.get(pk=leave.exception_id)
    assert exception.practitioner == provider and exception.kind == "vacation"
    assert (exception.start, exception.end) == (at(WED, 0), at(WED + dt.timedelta(1), 0))
    with pytest.raises(InvalidTransition):
        leave_services.leave_decline(actor=coordinator, leave_id=leave.pk, note="too late")
    leave_services.leave_cancel(actor=coordinator, leave_id=leave.pk)
    assert not AvailabilityException.objects.filter(pk=exception.pk).exists()


def test_another_location_coordinator_cannot_see_or_approve(clock, coordinator, provider, other_location):
    leave = leave_services.leave_request(actor=coordinator, kind="vacation", first_day=WED, last_day=WED,
                                         practitioner_id=provider.pk)
    stranger = UserFactory(role=Role.FRONT_DESK, location=other_location)
    for attempt in (lambda: leave_services.leave_approve(actor=stranger, leave_id=leave.pk),
                    lambda: leave_selectors.leave_get(actor=stranger, leave_id=leave.pk)):
        with pytest.raises(PermissionDenied) as refused:
            attempt()
        assert refused.value.status == NotFound.status  # answers like a missing record


def _approved_vacation(coordinator, provider):
    leave = leave_services.leave_request(actor=coordinator, kind="vacation", first_day=WED, last_day=WED,
                                         practitioner_id=provider.pk)
    return leave_services.leave_approve(actor=coordinator, leave_id=leave.pk)


def test_proposals_give_each_appointment_its_own_time_with_a_colleague(clock, coordinator, provider, colleague,
                                                                        booked, follow_up, location):
    AppointmentFactory(location=location, practitioner=colleague, appointment_type=follow_up, start=at(WED, 9))
    leave = _approved_vacation(coordinator, provider)
    proposals = leave_selectors.leave_cover_proposals(actor=coordinator, leave_id=leave.pk)
    assert [p.appointment.pk for p in proposals] == [a.pk for a in booked]
    assert {p.kind for p in proposals} == {ProposalKind.OTHER_PROVIDER}
    assert {p.option.practitioner.pk for p in proposals} == {colleague.pk}
    spans = sorted((p.option.start, p.option.end) for p in proposals)
    assert all(a_end <= b_start for (_, a_end), (b_start, _) in itertools.pairwise(spans))
    assert all(not (start < at(WED, 9, 20) and at(WED, 9) < end) for start, end in spans)  # the colleague's visit
    assert all(start.date() == WED for start, _ in spans)  # the same day: the closest free times
    shown = AuditEntry.objects.filter(action="appointment.list").last()
    assert sorted(shown.detail["patients"]) == sorted(a.patient_id for a in booked)


def test_without_a_colleague_the_same_provider_after_the_leave(clock, coordinator, provider, booked):
    leave = _approved_vacation(coordinator, provider)
    proposals = leave_selectors.leave_cover_proposals(actor=coordinator, leave_id=leave.pk)
    assert {p.kind for p in proposals} == {ProposalKind.SAME_PROVIDER_LATER}
    assert all(p.option.practitioner.pk == provider.pk and p.option.start >= at(WED + dt.timedelta(1), 0)
               for p in proposals)
    assert len({p.option.start for p in proposals}) == 3


def test_applying_moves_every_appointment_and_tells_the_patients(clock, coordinator, provider, colleague, booked,
                                                                 django_capture_on_commit_callbacks):
    ReminderRule.objects.create(kind=Kind.CONFIRMATION, channel=Channel.EMAIL)
    leave = _approved_vacation(coordinator, provider)
    proposals = leave_selectors.leave_cover_proposals(actor=coordinator, leave_id=leave.pk)
    moves = [CoverMove(p.appointment.pk, p.option.start, p.option.practitioner.pk) for p in proposals]
    with django_capture_on_commit_callbacks(execute=True):
        report = leave_services.leave_cover_apply(actor=coordinator, leave_id=leave.pk, moves=moves)
    assert sorted(report.moved) == sorted(a.pk for a in booked)
    for move in moves:
        appointment = Appointment.objects.get(pk=move.appointment_id)
        assert (appointment.practitioner_id, appointment.start) == (colleague.pk, move.start)
    told = Message.objects.filter(appointment__in=booked, kind=Kind.CONFIRMATION)
    assert told.count() == 3 and {m.to_address for m in told} == {"p0@example.org", "p1@example.org",
                                                                  "p2@example.org"}
    assert AuditEntry.objects.filter(action="appointment.reschedule").count() == 3
    assert leave_selectors.leave_cover_proposals(actor=coordinator, leave_id=leave.pk) == []


def test_a_time_taken_since_the_proposal_moves_nothing(clock, coordinator, provider, colleague, booked,
                                                       follow_up, location):
    leave = _approved_vacation(coordinator, provider)
    proposals = leave_selectors.leave_cover_proposals(actor=coordinator, leave_id=leave.pk)
    taken = proposals[-1].option
    AppointmentFactory(location=location, practitioner=colleague, appointment_type=follow_up, start=taken.start)
    moves = [CoverMove(p.appointment.pk, p.option.start, p.option.practitioner.pk) for p in proposals]
    with pytest.raises(Conflict) as refused:
        leave_services.leave_cover_apply(actor=coordinator, leave_id=leave.pk, moves=moves)
    assert "Nothing was moved" in refused.value.detail
    assert set(Appointment.objects.filter(pk__in=[a.pk for a in booked]).values_list("practitioner_id", flat=True)) \
        == {provider.pk}


def test_only_the_leave_s_appointments_can_be_moved_by_it(clock, coordinator, provider, colleague, booked,
                                                          location, follow_up):
    leave = _approved_vacation(coordinator, provider)
    elsewhere = AppointmentFactory(location=location, practitioner=colleague, appointment_type=follow_up,
                                   start=at(WED + dt.timedelta(2), 9))
    with pytest.raises(ValidationFailed):
        leave_services.leave_cover_apply(actor=coordinator, leave_id=leave.pk, moves=[
            CoverMove(elsewhere.pk, at(WED + dt.timedelta(2), 11), colleague.pk)])


MONDAY = dt.date(2027, 1, 4)


def test_a_staff_member_s_approved_leave_is_a_hard_day_off_and_re_solves_the_roster(
        make_user, location, django_capture_on_commit_callbacks):
    coordinator = make_user(Role.PRACTICE_COORDINATOR)
    staff = [UserFactory(role="front_desk" if i % 2 == 0 else "nurse", location=location) for i in range(5)]
    staffing_demo(actor=coordinator, location_id=location.pk, users=staff, period_start=MONDAY, publish=False)
    draft = services.roster_solve(actor=coordinator, location_id=location.pk, period_start=MONDAY, seconds=2,
                                  workers=2)
    services.roster_publish(actor=coordinator, roster_id=draft.pk)
    person = next(user for user in staff if draft.assignments.filter(staff__user=user, date=MONDAY).exists())
    leave = leave_services.leave_request(actor=person, kind="vacation", first_day=MONDAY,
                                         last_day=MONDAY + dt.timedelta(days=4))
    with django_capture_on_commit_callbacks(execute=True):  # the re-solve runs after the commit
        leave_services.leave_approve(actor=coordinator, leave_id=leave.pk)
    built = services._build_instance(location_id=location.pk, period_start=MONDAY)
    member_key = next(k for k, member in built.staff.items() if member.user_id == person.pk)
    assert {0, 1, 2, 3, 4} <= set(built.instance.days_off_of(member_key))
    resolved = draft.__class__.objects.get(location=location, period_start=MONDAY, status=RosterStatus.DRAFT)
    assert resolved.based_on_id == draft.pk and resolved.changes
    assert not resolved.assignments.filter(staff__user=person, date__range=(MONDAY, MONDAY + dt.timedelta(4))).exists()


def test_balances_count_working_days_taken_and_booked(clock, make_user, coordinator, location):
    nurse = make_user(Role.NURSE, first_name="Nora")
    LeaveAllowance.objects.create(user=nurse, year=2026, kind="vacation", days=15)
    past = leave_services.leave_request(actor=nurse, kind="vacation", first_day=dt.date(2026, 11, 9),
                                        last_day=dt.date(2026, 11, 15))  # Mon-Sun: 5 working days
    coming = leave_services.leave_request(actor=nurse, kind="vacation", first_day=dt.date(2026, 12, 24),
                                          last_day=dt.date(2026, 12, 28))  # Thu-Mon: 3 working days
    for leave in (past, coming):
        leave_services.leave_approve(actor=coordinator, leave_id=leave.pk)
    [balance] = leave_selectors.leave_balances(actor=coordinator, location=location, year=2026)
    assert (balance.taken, balance.booked, balance.left) == (5, 3, 7)
