# ruff: noqa: F811  (pytest fixtures imported from referral_fixtures, then named as arguments)
"""Incoming and outgoing referrals (#18 item 6): NPI check, visits counted on fulfilment and never above the
visits authorized, links within the dates, outgoing status table, the booking/worklist warnings."""

from __future__ import annotations

import datetime as dt

import pytest

from clinicdesk.audit.models import AuditEntry
from clinicdesk.core.exceptions import Conflict, InvalidTransition, NotFound, ValidationFailed
from clinicdesk.core.permissions import Role
from clinicdesk.insurance import selectors, services
from clinicdesk.insurance.models import OutgoingReferral, Referral
from clinicdesk.scheduling.services import appointment_set_status

from .referral_fixtures import (  # noqa: F401
    BAD_NPI,
    NPI,
    TOMORROW,
    ana,
    coordinator,
    far_clerk,
    mri,
    mri_payer,
    rules,
    specialist_visit,
    visit,
)


def _data(patient, **extra):
    values = dict(patient_id=patient.pk, referring_name="Dr. Lee", referring_npi=NPI, reason="Knee pain",
                  visits_authorized=2, valid_from="2026-11-01", valid_to="2027-01-31",
                  diagnosis_codes="m25.561, M17.11")
    values.update(extra)
    return services.ReferralInput(**values)


def test_referral_add_stores_codes_and_audits(clock, coordinator, ana):
    referral = services.referral_add(actor=coordinator, data=_data(ana), idempotency_key="r1")
    assert referral.diagnosis_codes == ["M25.561", "M17.11"]
    assert AuditEntry.objects.filter(action="referral.create").count() == 1
    again = services.referral_add(actor=coordinator, data=_data(ana), idempotency_key="r1")
    assert again.pk == referral.pk and Referral.objects.count() == 1


def test_referral_add_refuses_an_npi_with_a_bad_check_digit(clock, coordinator, ana):
    with pytest.raises(ValidationFailed) as caught:
        services.referral_add(actor=coordinator, data=_data(ana, referring_npi=BAD_NPI))
    assert "referring_npi" in caught.value.fields
    assert Referral.objects.count() == 0


def test_referral_add_refuses_dates_that_end_before_they_start(clock, coordinator, ana):
    with pytest.raises(ValidationFailed) as caught:
        services.referral_add(actor=coordinator, data=_data(ana, valid_from="2026-12-01", valid_to="2026-11-01"))
    assert "before the start date" in caught.value.detail
    assert Referral.objects.count() == 0


def test_referral_add_refuses_a_bad_diagnosis_code(clock, coordinator, ana):
    with pytest.raises(ValidationFailed):
        services.referral_add(actor=coordinator, data=_data(ana, diagnosis_codes="knee"))


def test_referral_add_hides_another_locations_patient(clock, far_clerk, ana):
    from clinicdesk.core.exceptions import PermissionDenied

    with pytest.raises((NotFound, PermissionDenied)) as caught:
        services.referral_add(actor=far_clerk, data=_data(ana))
    assert caught.value.status == 404


def test_referral_add_refuses_a_provider(clock, make_user, ana):
    from clinicdesk.core.exceptions import PermissionDenied

    with pytest.raises((PermissionDenied, NotFound)):
        services.referral_add(actor=make_user(Role.PROVIDER), data=_data(ana))


def test_fulfilled_visit_uses_one_referral_visit(clock, coordinator, ana, specialist_visit, visit):
    appointment = visit(ana, specialist_visit, day=dt.date(2026, 11, 23), hour=16)
    referral = services.referral_add(actor=coordinator, data=_data(ana, appointment_ids=[appointment.pk]))
    clock.advance(dt.timedelta(hours=1, minutes=30))
    appointment_set_status(actor=coordinator, appointment_id=appointment.pk, status="arrived")
    appointment_set_status(actor=coordinator, appointment_id=appointment.pk, status="checked-in")
    appointment_set_status(actor=coordinator, appointment_id=appointment.pk, status="fulfilled")
    referral.refresh_from_db()
    assert referral.visits_used == 1
    assert AuditEntry.objects.filter(action="referral.visit-used").count() == 1


def test_linking_beyond_the_visits_authorized_is_refused(clock, coordinator, ana, specialist_visit, visit):
    first, second = visit(ana, specialist_visit, hour=14), visit(ana, specialist_visit, hour=15)
    referral = services.referral_add(actor=coordinator, data=_data(ana, visits_authorized=1,
                                                                   appointment_ids=[first.pk]))
    with pytest.raises(Conflict) as caught:
        services.referral_link(actor=coordinator, referral_id=referral.pk, appointment_id=second.pk)
    assert caught.value.code == "referral-used-up"


def test_counting_by_hand_stops_at_the_visits_authorized(clock, coordinator, ana):
    referral = services.referral_add(actor=coordinator, data=_data(ana, visits_authorized=1))
    services.referral_record_visit(actor=coordinator, referral_id=referral.pk)
    with pytest.raises(Conflict) as caught:
        services.referral_record_visit(actor=coordinator, referral_id=referral.pk)
    assert "nothing was counted" in caught.value.detail
    referral.refresh_from_db()
    assert referral.visits_used == 1


def test_link_outside_the_dates_is_refused(clock, coordinator, ana, specialist_visit, visit):
    later = visit(ana, specialist_visit, day=dt.date(2027, 3, 1))
    referral = services.referral_add(actor=coordinator, data=_data(ana))
    with pytest.raises(Conflict) as caught:
        services.referral_link(actor=coordinator, referral_id=referral.pk, appointment_id=later.pk)
    assert caught.value.code == "referral-not-valid-then"


def test_warnings_say_a_referral_is_missing(clock, coordinator, ana, rules, specialist_visit):
    found = selectors.referral_warnings_for(actor=coordinator, patient_id=ana.pk,
                                            appointment_type_id=specialist_visit.pk, day=TOMORROW)
    assert [w.kind for w in found] == ["referral-missing"]
    assert "Riverbend Health" in found[0].text


def test_warnings_say_the_referral_is_used_up(clock, coordinator, ana, rules, specialist_visit):
    referral = services.referral_add(actor=coordinator, data=_data(ana, visits_authorized=1))
    services.referral_record_visit(actor=coordinator, referral_id=referral.pk)
    found = selectors.referral_warnings_for(actor=coordinator, patient_id=ana.pk,
                                            appointment_type_id=specialist_visit.pk, day=TOMORROW)
    assert [w.kind for w in found] == ["referral-used-up"]


def test_warnings_say_the_referral_ends_before_the_visit(clock, coordinator, ana, rules, specialist_visit):
    services.referral_add(actor=coordinator, data=_data(ana, valid_to="2026-11-30"))
    found = selectors.referral_warnings_for(actor=coordinator, patient_id=ana.pk,
                                            appointment_type_id=specialist_visit.pk, day=dt.date(2026, 12, 5))
    assert [w.kind for w in found] == ["referral-expires"]


def test_no_warning_with_a_usable_referral(clock, coordinator, ana, rules, specialist_visit):
    services.referral_add(actor=coordinator, data=_data(ana))
    assert selectors.referral_warnings_for(actor=coordinator, patient_id=ana.pk,
                                           appointment_type_id=specialist_visit.pk, day=TOMORROW) == []


def test_outgoing_referral_moves_by_the_table(clock, coordinator, ana, location):
    referral = services.outgoing_referral_send(actor=coordinator, data=services.OutgoingInput(
        patient_id=ana.pk, location_id=location.pk, specialist_name="Dr. Ortho", reason="Torn meniscus?",
        specialist_npi=NPI))
    assert referral.status == "sent"
    services.outgoing_referral_set_status(actor=coordinator, referral_id=referral.pk, status="scheduled")
    with pytest.raises(InvalidTransition):
        services.outgoing_referral_set_status(actor=coordinator, referral_id=referral.pk, status="received")
    services.outgoing_referral_set_status(actor=coordinator, referral_id=referral.pk, status="seen")
    assert OutgoingReferral.objects.get().status == "seen"
    assert AuditEntry.objects.filter(action="outgoing-referral.status").count() == 2


def test_outgoing_referral_letter_is_a_pdf(clock, coordinator, ana, location):
    from clinicdesk.insurance.pdf import referral_letter_pdf

    referral = services.outgoing_referral_send(actor=coordinator, data=services.OutgoingInput(
        patient_id=ana.pk, location_id=location.pk, specialist_name="Dr. Ortho", reason="Knee"))
    data = referral_letter_pdf(selectors.outgoing_referral_detail(actor=coordinator, referral_id=referral.pk))
    assert data.startswith(b"%PDF")
    assert AuditEntry.objects.filter(action="outgoing-referral.print").count() == 1
