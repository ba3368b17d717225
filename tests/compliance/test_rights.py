"""Patient rights requests (access 30 days, amendment 60, release 30 with the authorization checked) and the
accounting of disclosures."""

from __future__ import annotations

import datetime as dt

import pytest

from clinicdesk.compliance import selectors, services
from clinicdesk.compliance.models import Disclosure, RequestStatus
from clinicdesk.compliance.pdf import disclosures_pdf
from clinicdesk.core.exceptions import Conflict, PermissionDenied, ValidationFailed

TODAY = dt.date(2026, 11, 23)


def _release(actor, location, patient, **changes):
    values = {"kind": "release", "details": "Send my records to my new cardiologist.",
              "recipient": "Heart Care Associates", "recipient_address": "5 Pine St, Boston MA",
              "authorization_signed_on": dt.date(2026, 11, 20), "authorization_expires_on": dt.date(2027, 5, 20),
              "authorization_covers": ["visits", "labs"]}
    values.update(changes)
    return services.rights_request_log(actor=actor, location_id=location.pk, patient_mrn=patient.mrn, **values)


@pytest.mark.parametrize(("kind", "due"), [("access", dt.date(2026, 12, 23)), ("amendment", dt.date(2027, 1, 22)),
                                           ("release", dt.date(2026, 12, 23))])
def test_rights_request_clock(db, clock, coordinator, location, bob, kind, due):
    request = services.rights_request_log(actor=coordinator, location_id=location.pk, patient_mrn=bob.mrn,
                                          kind=kind, details="Asked at the desk", recipient="Someone")
    assert request.received_on == TODAY and request.due_on == due


def test_rights_request_clock_counts_from_the_day_received(db, clock, coordinator, location, bob):
    request = services.rights_request_log(actor=coordinator, location_id=location.pk, patient_mrn=bob.mrn,
                                          kind="access", details="By letter", received_on=dt.date(2026, 11, 2))
    assert request.due_on == dt.date(2026, 12, 2)


def test_rights_request_is_for_the_admin(db, clock, desk, location, bob):
    with pytest.raises(PermissionDenied):
        services.rights_request_log(actor=desk, location_id=location.pk, patient_mrn=bob.mrn, kind="access",
                                    details="x")


def test_release_fulfilled_becomes_a_disclosure(db, clock, coordinator, location, bob):
    request = _release(coordinator, location, bob)
    request = services.rights_request_fulfil(actor=coordinator, request_id=request.pk, sent_parts=["labs"],
                                             outcome="Faxed 12 pages")
    assert request.status == RequestStatus.FULFILLED
    disclosure = Disclosure.objects.get()
    assert (disclosure.recipient, disclosure.parts, disclosure.request_id) == ("Heart Care Associates", ["labs"],
                                                                              request.pk)


def test_release_refused_when_the_authorization_does_not_cover_what_is_sent(db, clock, coordinator, location, bob):
    request = _release(coordinator, location, bob)
    with pytest.raises(Conflict) as error:
        services.rights_request_fulfil(actor=coordinator, request_id=request.pk, sent_parts=["labs", "mental-health"])
    assert "Mental health notes" in error.value.detail
    assert not Disclosure.objects.exists()


def test_release_refused_when_the_authorization_expired(db, clock, coordinator, location, bob):
    request = _release(coordinator, location, bob, authorization_expires_on=dt.date(2026, 11, 22))
    with pytest.raises(Conflict):
        services.rights_request_fulfil(actor=coordinator, request_id=request.pk, sent_parts=["labs"])


def test_release_refused_without_a_signed_authorization(db, clock, coordinator, location, bob):
    request = _release(coordinator, location, bob, authorization_signed_on=None)
    with pytest.raises(Conflict):
        services.rights_request_fulfil(actor=coordinator, request_id=request.pk, sent_parts=["labs"])


def test_release_needs_what_was_sent(db, clock, coordinator, location, bob):
    request = _release(coordinator, location, bob)
    with pytest.raises(ValidationFailed):
        services.rights_request_fulfil(actor=coordinator, request_id=request.pk, sent_parts=[])


def test_amendment_denied_with_a_reason(db, clock, coordinator, location, bob):
    request = services.rights_request_log(actor=coordinator, location_id=location.pk, patient_mrn=bob.mrn,
                                          kind="amendment", details="Wrong allergy")
    request = services.rights_request_close(actor=coordinator, request_id=request.pk, status="denied",
                                            outcome="The record is accurate and complete.")
    assert request.status == RequestStatus.DENIED and request.completed_on == TODAY


def test_accounting_lists_six_years_of_disclosures_newest_first(db, clock, coordinator, location, bob, ana):
    for day, recipient in ((dt.date(2019, 1, 5), "Too old"), (dt.date(2021, 3, 1), "State registry"),
                           (dt.date(2026, 10, 1), "County health")):
        services.disclosure_record(actor=coordinator, location_id=location.pk, patient_mrn=bob.mrn,
                                   disclosed_on=day, recipient=recipient, purpose="public-health",
                                   parts=["immunizations"])
    services.disclosure_record(actor=coordinator, location_id=location.pk, patient_mrn=ana.mrn,
                               disclosed_on=dt.date(2026, 10, 2), recipient="Court", purpose="law", parts=["visits"])
    account = selectors.disclosures_accounting(actor=coordinator, location_id=location.pk, patient_mrn=bob.mrn)
    assert [d.recipient for d in account.disclosures] == ["County health", "State registry"]
    assert account.since == dt.date(2020, 11, 23)


def test_accounting_pdf_in_english_and_spanish(db, clock, coordinator, location, bob):
    services.disclosure_record(actor=coordinator, location_id=location.pk, patient_mrn=bob.mrn,
                               disclosed_on=dt.date(2026, 10, 1), recipient="County health", purpose="public-health",
                               parts=["immunizations"])
    account = selectors.disclosures_accounting(actor=coordinator, location_id=location.pk, patient_mrn=bob.mrn)
    for language in ("en", "es"):
        data = disclosures_pdf(account.patient, account.location, account.disclosures, since=account.since,
                               today=account.today, language=language)
        assert data.startswith(b"%PDF")


def test_disclosure_refuses_a_future_date(db, clock, coordinator, location, bob):
    with pytest.raises(ValidationFailed):
        services.disclosure_record(actor=coordinator, location_id=location.pk, patient_mrn=bob.mrn,
                                   disclosed_on=dt.date(2026, 12, 1), recipient="X", purpose="law", parts=["labs"])
