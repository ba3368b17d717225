"""A merge moves every row of the merged-away chart, app by app, inside the merge transaction.

The patients app announces `patient_merged` (patients/hooks.py); each app that holds rows naming a patient
subscribes in its AppConfig.ready() and declares which relations it handles. These tests enumerate every
reference to a Patient in every installed model, so that a new relation cannot be forgotten.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models

from clinicdesk.audit.models import AuditEntry
from clinicdesk.billing.estimate_models import Estimate
from clinicdesk.billing.models import (
    Claim,
    CollectionsHold,
    CreditRefund,
    Dispute,
    EntryKind,
    LedgerEntry,
    Statement,
    Superbill,
)
from clinicdesk.billing.services import balance_of
from clinicdesk.comms.models import (
    ConsentRecord,
    Correspondence,
    IncomingItem,
    Message,
    OfferInvite,
    Recall,
    WaitlistOffer,
)
from clinicdesk.compliance.models import Complaint, Disclosure, Incident, PatientTest, QcRun, RightsRequest, WaivedTest
from clinicdesk.core.clock import now as clock_now
from clinicdesk.core.exceptions import Conflict
from clinicdesk.core.permissions import Role
from clinicdesk.frontdesk.models import CallLog, HeadsUp, Task, TriageSlip, Visit
from clinicdesk.insurance.models import (
    EligibilityResult,
    Facility,
    OutgoingReferral,
    PriorAuthorization,
    ReadinessPacket,
    Referral,
    Transfer,
)
from clinicdesk.operations.models import Item
from clinicdesk.outreach.models import Campaign, CampaignMember, Event, Registration
from clinicdesk.patients import hooks
from clinicdesk.patients.models import (
    AlertKind,
    BreakGlassAccess,
    Coverage,
    Document,
    DuplicateCandidate,
    FormTemplate,
    Patient,
    PatientAlert,
    PatientChange,
    RelatedPerson,
)
from clinicdesk.patients.services import coverage_add, document_upload, form_sign, patient_merge
from clinicdesk.portal.models import (
    IntakeSubmission,
    OnlinePayment,
    PaymentPlan,
    PortalMessage,
    PortalSession,
    ProxyAuthorization,
    SignInChallenge,
)
from clinicdesk.scheduling.models import Appointment, ResourceBooking, ResourceKind, Series, WaitlistEntry
from clinicdesk.scheduling.services import BookingRequest, appointment_book
from tests.factories import AppointmentFactory, AppointmentTypeFactory, PatientFactory
from tests.scheduling.conftest import TUESDAY, at

from .conftest import PDF_BYTES

# --- every reference to a Patient, found through the model meta ------------------------------------------------


def _label(model: type[models.Model], name: str) -> str:
    return f"{model._meta.label}.{name}"


def patient_references() -> dict[str, tuple[type[models.Model], dict[str, object]]]:
    """Every column of every installed model that names a patient, with how to find the rows naming chart X:

    - a ForeignKey / OneToOne / ManyToMany to Patient, hidden ones (related_name="+") included, which
      `Patient._meta.related_objects` leaves out;
    - a plain integer column named `patient_id` or `<something>_patient_id` (a reference by value);
    - a kind/id pair (`<x>_kind` with a "patient" choice beside an integer `<x>_id`), e.g. a resource booking.

    Rows pointing at a patient-owned row (a task's appointment, a booking's appointment) follow that row: it keeps
    its primary key when it moves, so only the columns above can be left behind."""
    found: dict[str, tuple[type[models.Model], dict[str, object]]] = {}
    for model in apps.get_models(include_auto_created=True):
        fields = {f.name: f for f in model._meta.get_fields(include_hidden=True) if getattr(f, "concrete", False)}
        for name, field in fields.items():
            if field.is_relation and field.related_model is Patient:
                if field.many_to_many:
                    found[_label(model, name)] = (model, {f"{name}__pk": None})
                else:
                    found[_label(model, name)] = (model, {field.attname: None})
            elif (not field.is_relation and isinstance(field, models.IntegerField)
                  and (name == "patient_id" or name.endswith("_patient_id"))):
                found[_label(model, name)] = (model, {name: None})
            elif name.endswith("_kind") and not field.is_relation and "patient" in dict(field.choices or ()):
                id_name = name[: -len("_kind")] + "_id"
                if isinstance(fields.get(id_name), models.IntegerField):
                    found[f"{_label(model, id_name)}[{name}=patient]"] = (model, {name: "patient", id_name: None})
    return found


def rows_naming(reference: str, patient_id: int) -> models.QuerySet:
    model, lookup = patient_references()[reference]
    return model._default_manager.filter(**{k: (patient_id if v is None else v) for k, v in lookup.items()})


def test_patient_references_include_the_hidden_relations_related_objects_misses():
    found = patient_references()
    visible = {_label(r.related_model, r.field.name) for r in Patient._meta.related_objects}
    assert visible <= set(found)
    # related_name="+" hides these from Patient._meta.related_objects: the enumeration must still see them.
    assert {"frontdesk.Task.patient", "frontdesk.TriageSlip.patient", "frontdesk.CallLog.patient",
            "comms.OfferInvite.patient", "patients.DuplicateCandidate.first"} <= set(found) - visible
    assert "scheduling.ResourceBooking.resource_id[resource_kind=patient]" in found
    assert "audit.AuditEntry.patient_id" in found


def test_every_reference_to_a_patient_is_handled_by_a_merge_subscriber_or_kept_on_purpose():
    found = set(patient_references())
    handled = hooks.handled_relations()
    kept = set(hooks.KEPT_ON_MERGE)
    assert not handled.keys() & kept, "a relation is either moved by a subscriber or kept, not both"
    forgotten = found - handled.keys() - kept
    assert not forgotten, f"no merge subscriber handles {sorted(forgotten)}: register one in the app's ready()"
    stale = (handled.keys() | kept) - found
    assert not stale, f"merge subscribers name relations that do not exist: {sorted(stale)}"
    # Each app moves its own rows: a subscriber only declares relations of its own app.
    for relation, subscriber in handled.items():
        assert relation.split(".")[0] == subscriber, relation


def coverage_references() -> set[str]:
    """Every column of every installed model that names a Coverage (hidden relations included)."""
    return {_label(model, field.name)
            for model in apps.get_models(include_auto_created=True)
            for field in model._meta.get_fields(include_hidden=True)
            if getattr(field, "concrete", False) and field.is_relation and field.related_model is Coverage}


def test_every_reference_to_a_coverage_is_repointed_when_a_merge_drops_a_duplicate_card():
    found = coverage_references()
    assert {"billing.Claim.coverage", "insurance.EligibilityResult.coverage"} <= found
    handled = hooks.coverage_handled_relations()
    assert found == set(handled), "register a coverage_replaced subscriber for every reference to a Coverage"
    for relation, subscriber in handled.items():
        assert relation.split(".")[0] == subscriber, relation


def test_patient_merge_repoints_a_claim_on_the_duplicate_card_to_the_survivors_coverage(
        coordinator, pair, location, aetna, clock):
    keep, dupe = pair
    for chart in (keep, dupe):  # the same card on both charts
        coverage_add(actor=coordinator, patient_id=chart.pk, payer_id=aetna.pk, member_id="W9",
                     start_date=dt.date(2026, 1, 1))
    kept, copy = Coverage.objects.get(patient=keep), Coverage.objects.get(patient=dupe)
    now = clock_now()
    appointment = AppointmentFactory(location=location, patient=dupe, start=at(TUESDAY, 10))
    superbill = Superbill.objects.create(appointment=appointment, patient=dupe, location=location,
                                         date_of_service=TUESDAY, created_at=now)
    claim = Claim.objects.create(superbill=superbill, patient=dupe, location=location, payer=aetna, coverage=copy,
                                 claim_number="MERGE-CARD", date_of_service=TUESDAY,
                                 total_charge=Decimal("120.00"), created_at=now, updated_at=now)
    answer = EligibilityResult.objects.create(patient=dupe, coverage=copy, payer_name="Aetna", member_id="W9",
                                              channel="realtime", trace_number="merge-card", service_date=TUESDAY,
                                              coverage_fingerprint="x", request_x12="ISA*", requested_at=now)
    authorization = PriorAuthorization.objects.create(patient=dupe, coverage=copy, procedure_codes=["73721"],
                                                      units_requested=1, requested_from=TUESDAY,
                                                      requested_to=TUESDAY, clinical_reason="Knee", created_at=now)

    patient_merge(actor=coordinator, survivor_id=keep.pk, merged_id=dupe.pk, reason="Same person")

    assert list(Coverage.objects.filter(patient__in=[keep, dupe])) == [kept]  # the card is kept once
    claim.refresh_from_db()
    assert (claim.coverage_id, claim.patient_id) == (kept.pk, keep.pk)
    answer.refresh_from_db()
    authorization.refresh_from_db()
    assert answer.coverage_id == kept.pk and authorization.coverage_id == kept.pk
    moved = AuditEntry.objects.get(action="patient.merge").detail["moved"]
    assert moved["coverages_deduplicated"] == 1 and moved["claim_coverages"] == 1
    assert moved["eligibility_coverages"] == 1 and moved["prior_authorization_coverages"] == 1


def test_the_audit_trail_keeps_its_patient_references():
    assert "audit.AuditEntry.patient_id" in hooks.KEPT_ON_MERGE


# --- a merge leaves nothing behind ------------------------------------------------------------------------------


@pytest.fixture
def coordinator(make_user, location):
    return make_user(Role.PATIENT_COORDINATOR, at=location)


@pytest.fixture
def pair(location):
    keep = PatientFactory(home_location=location, family_name="Robinson", given_name="William",
                          birth_date=dt.date(1975, 4, 9))
    dupe = PatientFactory(home_location=location, family_name="Robinsen", given_name="Bill",
                          birth_date=dt.date(1975, 9, 4))
    return keep, dupe


def _ledger(patient, location, kind, amount, **extra):
    return LedgerEntry.objects.create(patient=patient, location=location, kind=kind, amount=Decimal(amount),
                                      created_at=clock_now(), **extra)


def _fill_every_relation(dupe, keep, location, coordinator, aetna):
    """At least one row in every relation that names a patient, all naming `dupe`."""
    now = clock_now()
    earlier = PatientFactory(home_location=location, active=False)
    earlier.merged_into = dupe
    earlier.save()
    later = PatientFactory(home_location=location)
    DuplicateCandidate.objects.create(first=keep, second=dupe, score=0.9, found_at=now)  # keep.pk < dupe.pk
    DuplicateCandidate.objects.create(first=dupe, second=later, score=0.9, found_at=now)
    RelatedPerson.objects.create(patient=dupe, kind="emergency", name="Ann Robinsen", relationship="spouse")
    coverage_add(actor=coordinator, patient_id=dupe.pk, payer_id=aetna.pk, member_id="W9",
                 start_date=dt.date(2026, 1, 1))
    form_sign(actor=coordinator, patient_id=dupe.pk, template_id=FormTemplate.objects.get(code="npp",
                                                                                          language="en").pk,
              signer_kind="patient", signer_name="Bill Robinsen", signature_kind="typed", typed_signature="B R")
    document_upload(actor=coordinator, patient_id=dupe.pk, kind="referral",
                    upload=SimpleUploadedFile("r.pdf", PDF_BYTES))
    PatientChange.objects.create(patient=dupe, field="phone", old_value="", new_value="1", changed_at=now)
    BreakGlassAccess.objects.create(patient=dupe, actor=coordinator, reason="emergency", at=now,
                                    expires_at=now + dt.timedelta(hours=1))

    kind = AppointmentTypeFactory(code="merge-visit", duration_minutes=30)
    series = Series.objects.create(patient=dupe, appointment_type=kind, count=2, created_at=now)
    appointment = AppointmentFactory(location=location, patient=dupe, appointment_type=kind, series=series,
                                     start=at(TUESDAY, 10))
    WaitlistEntry.objects.create(patient=dupe, appointment_type=kind, location=location, created_at=now)

    Message.objects.create(patient=dupe, appointment=appointment, kind="reminder", channel="email",
                           to_address="bill@example.com", body="See you", send_after=now, dedupe_key="merge:1")
    Recall.objects.create(patient=dupe, appointment_type=kind, due_date=dt.date(2027, 1, 1), created_at=now)
    offer = WaitlistOffer.objects.create(practitioner=appointment.practitioner, location=location,
                                         appointment_type=kind, start=at(TUESDAY, 15), end=at(TUESDAY, 15, 30),
                                         created_at=now)
    OfferInvite.objects.create(offer=offer, waitlist_entry_id=WaitlistEntry.objects.get(patient=dupe).pk,
                               patient=dupe)

    charge = _ledger(dupe, location, EntryKind.CHARGE, "120.00", description="Visit")
    _ledger(dupe, location, EntryKind.PAYMENT, "-20.00", method="cash")
    _ledger(keep, location, EntryKind.CHARGE, "15.00", description="Copay")

    Visit.objects.create(location=location, patient=dupe, appointment=appointment, day=TUESDAY,
                         arrived_at=at(TUESDAY, 9, 50), status="checked-out")
    call = CallLog.objects.create(location=location, caller_name="Bill", patient=dupe, reason="clinical",
                                  disposition="message", created_at=now)
    TriageSlip.objects.create(location=location, call=call, patient=dupe, question="Rash?", pool="nurse",
                              created_at=now)
    Task.objects.create(location=location, title="Call back", patient=dupe, pool="front-desk",
                        due_date=TUESDAY, created_at=now)
    PatientAlert.objects.create(patient=dupe, kind=AlertKind.objects.get(code="fall-risk"), reason="Cane",
                                created_at=now)
    HeadsUp.objects.create(visit=Visit.objects.get(patient=dupe), location=location, patient=dupe,
                           recipient=coordinator, message="Agitated", sent_at=now)
    EligibilityResult.objects.create(patient=dupe, payer_name="Aetna", member_id="W9", channel="realtime",
                                     trace_number="merge-1", service_date=TUESDAY, coverage_fingerprint="x",
                                     request_x12="ISA*", requested_at=now)
    Referral.objects.create(patient=dupe, referring_name="Dr. Lee", referring_npi="1234567893", reason="Knee",
                            visits_authorized=2, valid_from=TUESDAY, valid_to=TUESDAY, created_at=now)
    OutgoingReferral.objects.create(patient=dupe, location=location, specialist_name="Dr. Ortho", reason="Knee",
                                    status_changed_at=now, created_at=now)
    PriorAuthorization.objects.create(patient=dupe, procedure_codes=["73721"], units_requested=1,
                                      requested_from=TUESDAY, requested_to=TUESDAY, clinical_reason="Knee",
                                      created_at=now)
    ReadinessPacket.objects.create(appointment=appointment, patient=dupe, location=location, link_nonce="n",
                                   created_at=now)
    Transfer.objects.create(patient=dupe, location=location, kind="admission", reason="Stroke", requested_on=TUESDAY,
                            status_changed_at=now, created_at=now,
                            facility=Facility.objects.create(name="General", kind="hospital", updated_at=now))

    superbill = Superbill.objects.create(appointment=appointment, patient=dupe, location=location,
                                         date_of_service=TUESDAY, created_at=now)
    Claim.objects.create(superbill=superbill, patient=dupe, location=location, payer=aetna,
                         coverage=Coverage.objects.get(patient=dupe), claim_number="MERGE-1",
                         date_of_service=TUESDAY, total_charge=Decimal("120.00"), created_at=now, updated_at=now)
    # Statements, collections holds, credit refunds, disputes and estimates (#19, billing).
    letter = Document.objects.filter(patient=dupe).first()
    Statement.objects.create(patient=dupe, location=location, statement_date=TUESDAY, balance=Decimal("100.00"),
                             aged_0_30=Decimal("100.00"), aged_31_60=0, aged_61_90=0, aged_91_120=0, aged_over_120=0,
                             language="en", delivery="print", document=letter, created_by=coordinator,
                             created_at=now)
    CollectionsHold.objects.create(patient=dupe, reason="Hardship", placed_by=coordinator, placed_at=now)
    CreditRefund.objects.create(patient=dupe, location=location, amount=Decimal("5.00"), reason="Overpaid",
                                requested_by=coordinator, requested_at=now)
    Dispute.objects.create(patient=dupe, location=location, entry=charge, amount=Decimal("120.00"),
                           reason="Never seen", opened_by=coordinator, opened_at=now, due_on=TUESDAY)
    Estimate.objects.create(patient=dupe, appointment=appointment, location=location, kind="good-faith",
                            number="GFE-MERGE-1", service_date=TUESDAY, coverage=Coverage.objects.get(patient=dupe),
                            total_charge=Decimal("120.00"), total_allowed=Decimal("90.00"),
                            patient_total=Decimal("30.00"), requested_on=TUESDAY, due_by=TUESDAY,
                            idempotency_key="merge-estimate-1", created_at=now, created_by=coordinator)
    IntakeSubmission.objects.create(patient=dupe, submitted_by=dupe, kind="history", data={"problems": ["Asthma"]},
                                    created_at=now)
    Correspondence.objects.create(batch="merge-batch", patient=dupe, location=location, channel="letter",
                                  language="en", outcome="letter", created_at=now)
    Correspondence.objects.create(batch="merge-batch", patient=keep, location=location, channel="letter",
                                  language="en", outcome="letter", created_at=now)  # one batch reached both
    IncomingItem.objects.create(location=location, medium="fax", sender="Dr. Lee", received_on=TUESDAY, patient=dupe,
                                created_at=now)
    Incident.objects.create(location=location, kind="patient-safety", severity="near-miss", what="Slipped",
                            place="Lobby", occurred_at=now, patient=dupe, reported_by=coordinator, reported_at=now)
    Complaint.objects.create(location=location, patient=dupe, channel="phone", received_at=now, summary="Wait",
                             logged_by=coordinator)
    RightsRequest.objects.create(location=location, patient=dupe, kind="access", received_on=TUESDAY,
                                 due_on=TUESDAY + dt.timedelta(days=30), details="Copy", logged_by=coordinator)
    Disclosure.objects.create(patient=dupe, location=location, disclosed_on=TUESDAY, recipient="County",
                              purpose="public-health", recorded_by=coordinator, recorded_at=now)
    SignInChallenge.objects.create(patient=dupe, contact_key="k", channel="email", token_hash="t", created_at=now,
                                   expires_at=now + dt.timedelta(minutes=15))
    PortalSession.objects.create(key_hash="merge-session", patient=dupe, subject=dupe, created_at=now,
                                 last_seen_at=now)
    PortalMessage.objects.create(patient=dupe, written_by_patient=dupe, topic="billing", body="A bill?",
                                 created_at=now)
    ProxyAuthorization.objects.create(proxy=dupe, dependent=later, kind="caregiver", valid_from=TUESDAY,
                                      recorded_at=now)
    ProxyAuthorization.objects.create(proxy=keep, dependent=dupe, kind="caregiver", valid_from=TUESDAY,
                                      recorded_at=now)  # would become the survivor acting for itself
    workshop = Event.objects.create(location=location, kind="diabetes", title_en="W", title_es="T", start=now,
                                    capacity=2, taken=1, created_at=now)
    Registration.objects.create(event=workshop, patient=dupe, status="confirmed", created_at=now)
    ConsentRecord.objects.create(patient=dupe, channel="sms", purpose="outreach", granted=False, source="desk",
                                 at=now, recorded_by=coordinator)
    waived = WaivedTest.objects.create(location=location, name_en="Glucose", name_es="Glucosa", measures="glucose",
                                       result_kind="numeric", unit="mg/dL",
                                       item=Item.objects.create(name="Glucose strips", unit="box"))
    qc = QcRun.objects.create(test=waived, lot="L1", lot_expires_on=dt.date(2027, 1, 1), run_on=TUESDAY,
                              performed_at=now, performed_by=coordinator, passed=True)
    PatientTest.objects.create(test=waived, patient=dupe, lot="L1", lot_expires_on=dt.date(2027, 1, 1),
                               value=Decimal("98"), performed_at=now, performed_by=coordinator, qc_run=qc)
    flu = Campaign.objects.create(location=location, name="Flu shots", created_at=now)
    CampaignMember.objects.create(campaign=flu, patient=dupe)
    plan = PaymentPlan.objects.create(patient=dupe, agreed_by=dupe, total=Decimal("100.00"), instalments=2,
                                      first_due=TUESDAY, created_at=now)
    OnlinePayment.objects.create(patient=dupe, paid_by=dupe, location=location, purpose="instalment", plan=plan,
                                 amount=Decimal("50.00"), reference="merge-pay-1", created_at=now)
    return charge


def test_patient_merge_leaves_no_row_naming_the_merged_chart_except_kept_history(
        coordinator, pair, location, aetna, clock):
    keep, dupe = pair
    _fill_every_relation(dupe, keep, location, coordinator, aetna)
    references = patient_references()
    empty_before = sorted(r for r in references
                          if r not in hooks.KEPT_ON_MERGE
                          and not rows_naming(r, dupe.pk).exists())
    assert not empty_before, f"the test must put a row in every relation: {empty_before}"

    patient_merge(actor=coordinator, survivor_id=keep.pk, merged_id=dupe.pk, reason="Same person")

    left = {r: rows_naming(r, dupe.pk).count() for r in references}
    left = {r: n for r, n in left.items() if n}
    # What may still name the merged chart, and why:
    # - the audit trail is history (hash-chained, append-only);
    # - the ledger is append-only: its entries stay where they were posted, the balance moves by a transfer pair;
    # - the merged chart's own change history records the merge itself (inactive, merged into the survivor);
    # - the duplicate worklist keeps its reviewed pairs, closed as merged.
    assert set(left) <= {"audit.AuditEntry.patient_id", "billing.LedgerEntry.patient",
                         "patients.PatientChange.patient", "patients.DuplicateCandidate.first",
                         "patients.DuplicateCandidate.second"}, left
    assert set(PatientChange.objects.filter(patient=dupe).values_list("field", flat=True)) == {
        "active", "merged_into", "inactive_reason"}
    assert not DuplicateCandidate.objects.filter(first=dupe).exclude(status="merged").exists()
    assert not DuplicateCandidate.objects.filter(second=dupe).exclude(status="merged").exists()
    assert Patient.objects.filter(merged_into=keep).count() == 2  # dupe, and the chart merged into dupe earlier
    assert ResourceBooking.objects.filter(resource_kind=ResourceKind.PATIENT, resource_id=keep.pk).count() == 1


def test_patient_merge_signs_the_merged_chart_out_of_the_portal(coordinator, pair, location, aetna, clock):
    keep, dupe = pair
    _fill_every_relation(dupe, keep, location, coordinator, aetna)
    patient_merge(actor=coordinator, survivor_id=keep.pk, merged_id=dupe.pk)
    session = PortalSession.objects.get(key_hash="merge-session")
    assert session.patient_id == keep.pk and session.ended_at is not None
    challenge = SignInChallenge.objects.get(token_hash="t")
    assert challenge.patient_id == keep.pk and challenge.expires_at <= clock_now()
    # The authorization between the two charts is removed (audited); the other one moves to the survivor.
    remaining = ProxyAuthorization.objects.get()
    assert remaining.proxy_id == keep.pk and remaining.dependent_id not in (keep.pk, dupe.pk)
    assert AuditEntry.objects.filter(action="portal.proxy_revoke", patient_id=dupe.pk).exists()
    assert sorted(Correspondence.objects.filter(patient=keep).values_list("batch", flat=True)) == [
        "merge-batch", f"merge-batch~merged-{dupe.pk}"]


def test_patient_merge_moves_the_balance_to_the_survivor_with_a_transfer_pair(
        coordinator, pair, location, aetna, clock):
    keep, dupe = pair
    charge = _fill_every_relation(dupe, keep, location, coordinator, aetna)
    originals = list(LedgerEntry.objects.filter(patient=dupe).values_list("pk", "amount", "kind"))

    patient_merge(actor=coordinator, survivor_id=keep.pk, merged_id=dupe.pk)

    assert balance_of(dupe.pk) == Decimal("0.00")
    assert balance_of(keep.pk) == Decimal("115.00")  # 15.00 of its own + the 100.00 the merged chart owed
    # Nothing posted is changed: the original entries stay on the merged chart, as posted.
    assert list(LedgerEntry.objects.filter(pk__in=[p for p, _a, _k in originals])
                .values_list("pk", "amount", "kind")) == originals
    out = LedgerEntry.objects.get(patient=dupe, kind=EntryKind.ADJUSTMENT)
    into = LedgerEntry.objects.get(patient=keep, kind=EntryKind.ADJUSTMENT)
    assert out.amount == Decimal("-100.00") and into.amount == Decimal("100.00")
    assert out.location_id == into.location_id == charge.location_id
    assert keep.mrn in out.description and dupe.mrn in into.description
    transfer = AuditEntry.objects.filter(action="ledger.merge_transfer")
    assert {e.patient_id for e in transfer} == {keep.pk, dupe.pk}


def test_survivor_cannot_be_double_booked_at_a_time_the_merged_chart_held(
        coordinator, clerk, pair, location, provider, follow_up, clock):
    keep, dupe = pair
    AppointmentFactory(location=location, patient=dupe, appointment_type=follow_up, start=at(TUESDAY, 11))
    patient_merge(actor=coordinator, survivor_id=keep.pk, merged_id=dupe.pk)
    with pytest.raises(Conflict) as error:
        appointment_book(actor=clerk, request=BookingRequest(
            patient_id=keep.pk, practitioner_id=provider.pk, location_id=location.pk,
            appointment_type_id=follow_up.pk, start=at(TUESDAY, 11)), idempotency_key="after-merge")
    assert error.value.code == "patient-overlap"


def test_patient_merge_refuses_charts_booked_at_the_same_time_and_writes_nothing(
        coordinator, pair, location, follow_up, clock):
    keep, dupe = pair
    mine = AppointmentFactory(location=location, patient=keep, appointment_type=follow_up, start=at(TUESDAY, 9))
    theirs = AppointmentFactory(location=location, patient=dupe, appointment_type=follow_up,
                                start=at(TUESDAY, 9, 10))
    RelatedPerson.objects.create(patient=dupe, kind="emergency", name="Ann", relationship="spouse")
    audit_before = AuditEntry.objects.count()
    with pytest.raises(Conflict) as error:
        patient_merge(actor=coordinator, survivor_id=keep.pk, merged_id=dupe.pk)
    assert error.value.code == "merge-double-booked"
    assert "09:10" in str(error.value.detail) and "09:00" in str(error.value.detail)
    dupe.refresh_from_db()
    assert dupe.merged_into is None and dupe.active
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert (mine.patient_id, theirs.patient_id) == (keep.pk, dupe.pk)
    assert RelatedPerson.objects.get().patient_id == dupe.pk  # the patients app's own move was rolled back
    assert ResourceBooking.objects.filter(resource_kind="patient", resource_id=dupe.pk).count() == 1
    assert AuditEntry.objects.count() == audit_before


def test_patient_merge_ignores_a_cancelled_appointment_at_the_same_time(coordinator, pair, location, follow_up,
                                                                        clock):
    keep, dupe = pair
    AppointmentFactory(location=location, patient=keep, appointment_type=follow_up, start=at(TUESDAY, 9))
    AppointmentFactory(location=location, patient=dupe, appointment_type=follow_up, start=at(TUESDAY, 9),
                       status="cancelled", cancel_reason="booked twice")
    patient_merge(actor=coordinator, survivor_id=keep.pk, merged_id=dupe.pk)
    assert Appointment.objects.filter(patient=keep).count() == 2


def test_patient_merge_refuses_two_visits_in_progress(coordinator, pair, location, clock):
    keep, dupe = pair
    for chart in pair:
        Visit.objects.create(location=location, patient=chart, walk_in=True, day=TUESDAY, arrived_at=clock_now())
    with pytest.raises(Conflict) as error:
        patient_merge(actor=coordinator, survivor_id=keep.pk, merged_id=dupe.pk)
    assert error.value.code == "merge-visits-in-progress"
    assert Visit.objects.filter(patient=dupe).count() == 1


def test_patient_merge_closes_the_merged_charts_duplicate_waitlist_entry_and_recall(coordinator, pair, location,
                                                                                   follow_up, clock):
    keep, dupe = pair
    now = clock_now()
    for chart in pair:
        WaitlistEntry.objects.create(patient=chart, appointment_type=follow_up, location=location, created_at=now)
        Recall.objects.create(patient=chart, appointment_type=follow_up, due_date=dt.date(2027, 1, 1),
                              created_at=now)
    patient_merge(actor=coordinator, survivor_id=keep.pk, merged_id=dupe.pk)
    assert sorted(WaitlistEntry.objects.filter(patient=keep).values_list("status", flat=True)) == [
        "removed", "waiting"]
    assert sorted(Recall.objects.filter(patient=keep).values_list("state", flat=True)) == ["closed", "due"]


def test_patient_merge_keeps_one_campaign_membership_carrying_the_merged_charts_contact(coordinator, pair,
                                                                                      location, clock):
    keep, dupe = pair
    now = clock_now()
    campaign = Campaign.objects.create(location=location, name="Flu shots", created_at=now)
    kept = CampaignMember.objects.create(campaign=campaign, patient=keep)
    CampaignMember.objects.create(campaign=campaign, patient=dupe, state="contacted", wave=1, channel="sms",
                                  contacted_at=now, declined_at=now, declined_by=coordinator, excluded=True)
    patient_merge(actor=coordinator, survivor_id=keep.pk, merged_id=dupe.pk)
    assert list(CampaignMember.objects.filter(campaign=campaign).values_list("pk", flat=True)) == [kept.pk]
    kept.refresh_from_db()
    assert (kept.patient_id, kept.state, kept.wave, kept.channel, kept.contacted_at) == (
        keep.pk, "contacted", 1, "sms", now)
    assert kept.declined_at == now and kept.declined_by_id == coordinator.pk and kept.excluded


def test_a_failing_merge_subscriber_rolls_the_whole_merge_back(coordinator, pair, location, monkeypatch, clock):
    keep, dupe = pair
    AppointmentFactory(location=location, patient=dupe)

    def refuse(*, survivor, merged, actor):
        raise Conflict("test-refusal", "refused")

    monkeypatch.setattr(hooks, "patient_merged", [*hooks.patient_merged,
                                                 hooks.MergeSubscriber("test", refuse, frozenset())])
    with pytest.raises(Conflict):
        patient_merge(actor=coordinator, survivor_id=keep.pk, merged_id=dupe.pk)
    assert Appointment.objects.get().patient_id == dupe.pk
    assert ResourceBooking.objects.filter(resource_kind="patient", resource_id=dupe.pk).exists()
