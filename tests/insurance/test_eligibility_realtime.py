"""270/271 over the CAQH CORE real-time channel, against the local clearinghouse (HTTP on loopback)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from clinicdesk.audit.models import AuditEntry
from clinicdesk.core.exceptions import NotFound, PermissionDenied, ValidationFailed
from clinicdesk.core.permissions import Role
from clinicdesk.insurance.clearinghouse.core import REQUEST_TYPE
from clinicdesk.insurance.models import EligibilityResult, EligibilityStatus, ServiceTypeRule
from clinicdesk.insurance.services import eligibility_verify, is_fresh
from clinicdesk.insurance.x12 import e270, envelope
from clinicdesk.patients.models import SubscriberRelationship

from .conftest import TOMORROW

pytestmark = pytest.mark.django_db


def test_eligibility_verify_stores_an_active_answer_with_its_benefits(http_clearinghouse, coverage, coordinator,
                                                                       clock):
    result = eligibility_verify(actor=coordinator, coverage_id=coverage.pk, service_date=TOMORROW)
    assert result.status == EligibilityStatus.ACTIVE
    assert result.plan == "GOLD PPO 2000"
    assert result.copay == Decimal("25.00")
    assert result.coinsurance_percent == Decimal("0.2")
    assert result.deductible_remaining == Decimal("612.45")
    assert result.out_of_pocket_remaining == Decimal("4321.10")
    assert result.benefits.count() == 10
    limit = result.benefits.get(info="F")
    assert limit.quantity_qualifier == "VS" and limit.quantity == Decimal("20") and limit.visit_limits
    assert AuditEntry.objects.filter(action="eligibility.request", patient_id=coverage.patient_id).exists()
    assert AuditEntry.objects.filter(action="eligibility.answer", patient_id=coverage.patient_id).exists()


def test_the_request_is_a_core_envelope_with_a_270(http_clearinghouse, coverage, coordinator, clock):
    eligibility_verify(actor=coordinator, coverage_id=coverage.pk, service_date=TOMORROW)
    (sent,) = http_clearinghouse.requests
    assert sent["ProcessingMode"] == "RealTime" and sent["PayloadType"] == REQUEST_TYPE
    assert sent["CORERuleVersion"] and sent["PayloadID"] and sent["TimeStamp"].endswith("Z")
    assert sent["SenderID"] == "CLINICDESK" and sent["ReceiverID"] == "CLEARINGHOUSE"
    interchange = envelope.read(sent["Payload"])
    assert interchange.transactions[0].code == "270"
    assert interchange.transactions[0].implementation == "005010X279A1"


def test_inactive_coverage_is_recorded_inactive(http_clearinghouse, make_coverage, organization, coordinator, clock):
    coverage = make_coverage(member_id="INACT0001")
    result = eligibility_verify(actor=coordinator, coverage_id=coverage.pk, service_date=TOMORROW)
    assert result.status == EligibilityStatus.INACTIVE
    assert not is_fresh(None, coverage, today=TOMORROW)


def test_a_rejection_is_kept_with_its_code_and_follow_up(http_clearinghouse, make_coverage, organization,
                                                        coordinator, clock):
    coverage = make_coverage(member_id="REJ0001")
    result = eligibility_verify(actor=coordinator, coverage_id=coverage.pk, service_date=TOMORROW)
    assert result.status == EligibilityStatus.REJECTED
    assert result.rejections == [{"code": "75", "action": "C", "level": "subscriber"}]
    assert not result.benefits.exists()


def test_a_time_out_is_recorded_as_failed_never_active(http_clearinghouse, make_coverage, organization, coordinator,
                                                       clock):
    coverage = make_coverage(member_id="SLOW0001")
    result = eligibility_verify(actor=coordinator, coverage_id=coverage.pk, service_date=TOMORROW)
    assert (result.status, result.failure) == (EligibilityStatus.FAILED, "timeout")


def test_a_malformed_answer_is_recorded_as_failed(http_clearinghouse, make_coverage, organization, coordinator, clock):
    coverage = make_coverage(member_id="BAD0001")
    result = eligibility_verify(actor=coordinator, coverage_id=coverage.pk, service_date=TOMORROW)
    assert (result.status, result.failure) == (EligibilityStatus.FAILED, "malformed")
    assert "cut short" in result.failure_detail


def test_an_answer_for_another_patient_is_a_mismatch(http_clearinghouse, make_coverage, organization, coordinator,
                                                     clock):
    coverage = make_coverage(member_id="OTHER0001")
    result = eligibility_verify(actor=coordinator, coverage_id=coverage.pk, service_date=TOMORROW)
    assert (result.status, result.failure) == (EligibilityStatus.MISMATCH, "mismatch")
    assert not result.benefits.exists()


@pytest.mark.parametrize("mode, failure", [("http-500", "refused"), ("not-core", "malformed"),
                                           ("envelope-error", "refused")])
def test_clearinghouse_errors_are_recorded_as_such(http_clearinghouse, coverage, coordinator, clock, mode, failure):
    http_clearinghouse.mode = mode
    result = eligibility_verify(actor=coordinator, coverage_id=coverage.pk, service_date=TOMORROW)
    assert (result.status, result.failure) == (EligibilityStatus.FAILED, failure)


def test_wrong_credentials_are_refused(http_clearinghouse, coverage, coordinator, clock, settings):
    settings.CLEARINGHOUSE_PASSWORD = "wrong"
    result = eligibility_verify(actor=coordinator, coverage_id=coverage.pk, service_date=TOMORROW)
    assert (result.status, result.failure) == (EligibilityStatus.FAILED, "refused")
    assert "UnAuthorized" in result.failure_detail


def test_an_unreachable_clearinghouse_is_a_transport_failure(coverage, coordinator, clock, settings):
    settings.CLEARINGHOUSE_CORE_URL = "http://127.0.0.1:9/core"  # discard port: nothing listens
    result = eligibility_verify(actor=coordinator, coverage_id=coverage.pk, service_date=TOMORROW)
    assert (result.status, result.failure) == (EligibilityStatus.FAILED, "transport")


def test_a_dependent_is_asked_in_the_dependent_loop(http_clearinghouse, make_coverage, organization, coordinator,
                                                    clock):
    coverage = make_coverage(relationship=SubscriberRelationship.CHILD, subscriber_family_name="Garcia",
                             subscriber_given_name="Luis", member_id="W999")
    result = eligibility_verify(actor=coordinator, coverage_id=coverage.pk, service_date=TOMORROW)
    assert result.status == EligibilityStatus.ACTIVE
    interchange = envelope.read(result.request_x12)
    sent = e270.read_transaction(interchange.transactions[0], interchange)
    assert sent.subscriber["given_name"] == "LUIS" and sent.dependent["given_name"] == "ANA"
    ids = [s.id for s in interchange.transactions[0].segments]
    assert ids.index("EQ") > ids.index("NM1", ids.index("TRN"))  # EQ in 2110D, after the dependent's name


def test_service_types_come_from_the_appointment_type(http_clearinghouse, coverage, coordinator, book, clock):
    appointment = book(coverage.patient)
    ServiceTypeRule.objects.create(appointment_type=appointment.appointment_type, service_types=["98", "BZ"])
    result = eligibility_verify(actor=coordinator, appointment_id=appointment.pk)
    assert result.service_types == ["98", "BZ"] and result.service_date == TOMORROW
    assert result.appointment_id == appointment.pk


def test_default_service_type_is_30(http_clearinghouse, coverage, coordinator, clock):
    result = eligibility_verify(actor=coordinator, patient_id=coverage.patient_id, service_date=TOMORROW)
    assert result.service_types == ["30"]


def test_a_user_of_another_location_cannot_verify(http_clearinghouse, coverage, make_user, other_location, clock):
    stranger = make_user(Role.FRONT_DESK, at=other_location)
    with pytest.raises((NotFound, PermissionDenied)):
        eligibility_verify(actor=stranger, coverage_id=coverage.pk, service_date=TOMORROW)
    assert not EligibilityResult.objects.exists()


def test_a_role_without_insurance_write_cannot_verify(http_clearinghouse, coverage, make_user, clock):
    provider_user = make_user(Role.PROVIDER)
    with pytest.raises(PermissionDenied):
        eligibility_verify(actor=provider_user, coverage_id=coverage.pk, service_date=TOMORROW)
    assert not EligibilityResult.objects.exists()


def test_a_payer_without_electronic_id_is_refused_with_nothing_written(http_clearinghouse, coverage, coordinator,
                                                                       clock):
    coverage.payer.payer_code = ""
    coverage.payer.save()
    with pytest.raises(ValidationFailed) as caught:
        eligibility_verify(actor=coordinator, coverage_id=coverage.pk, service_date=TOMORROW)
    assert caught.value.code == "no-payer-id"
    assert not EligibilityResult.objects.exists() and not http_clearinghouse.requests


def test_a_changed_coverage_asks_for_a_new_answer(http_clearinghouse, coverage, coordinator, clock):
    result = eligibility_verify(actor=coordinator, coverage_id=coverage.pk, service_date=TOMORROW)
    assert is_fresh(result, coverage, today=TOMORROW)
    coverage.member_id = "W000000001"
    coverage.save()
    assert not is_fresh(result, coverage, today=TOMORROW)


def test_an_old_answer_is_stale(http_clearinghouse, coverage, coordinator, clock, settings):
    import datetime as dt

    result = eligibility_verify(actor=coordinator, coverage_id=coverage.pk, service_date=TOMORROW)
    settings.ELIGIBILITY_MAX_AGE_DAYS = 30
    assert is_fresh(result, coverage, today=TOMORROW + dt.timedelta(days=29))
    assert not is_fresh(result, coverage, today=TOMORROW + dt.timedelta(days=31))
