"""Every audited action hashes exactly what the database gives back, so verify accepts it after a round trip."""

import datetime as dt
import uuid
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from clinicdesk.audit.models import AuditEntry
from clinicdesk.audit.services import chain_verify, record
from clinicdesk.billing.services import Tender, payment_collect
from clinicdesk.core.permissions import Role
from tests.factories import PatientFactory

RICH_DETAIL = {
    "count": 3, "text": "x", "amount": Decimal("12.50"), "day": dt.date(2026, 11, 24),
    "when": dt.datetime(2026, 11, 24, 9, 30, 0, 123456, tzinfo=dt.UTC), "id": uuid.UUID(int=7), "none": None,
    "nested": {"list": [1, Decimal("0.1"), {"deep": dt.date(2026, 1, 2)}], "tuple": (1, "a"), 5: "int key"},
    "flag": True, "ratio": 0.25,
}


def test_every_audited_action_re_verifies_after_a_round_trip_through_the_database(signed_in, location, clock):
    clerk = signed_in(Role.FRONT_DESK, at=location)
    patient = PatientFactory(home_location=location)
    outsider = signed_in(Role.FRONT_DESK, at=PatientFactory().home_location)
    written = []
    # The Inbox form posts the patient's id as text: the entry used to hash "2" while the column stores 2.
    response = clerk.post("/frontdesk/inbox/", {"title": "Call back", "due_date": "2026-11-24",
                                                "pool": "front_desk", "patient": str(patient.pk)})
    assert response.status_code == 302
    assert AuditEntry.objects.filter(action="task.create", patient_id=patient.pk).exists()
    clerk.get(f"/patients/{patient.pk}/")                 # patient.read
    clerk.post("/patients/", {"q": patient.family_name})  # patient.search, a list of ids in detail
    outsider.get(f"/patients/{patient.pk}/")              # access.denied, patient id from the refusal
    payment_collect(actor=clerk.user, patient_id=patient.pk, location_id=location.pk, amount=Decimal("5"),
                    tender=Tender("cash"))
    written.append(record(clerk.user, "test.rich", patient=str(patient.pk), resource_type="thing",
                          resource_id=uuid.UUID(int=9), detail=RICH_DETAIL))
    written.append(record(None, "test.ids-as-text", patient=f"{patient.pk}", resource_id=42,
                          detail={"patient": str(patient.pk)}))
    for in_memory in written:  # what record() hashed is what the database holds
        assert AuditEntry.objects.get(pk=in_memory.pk).content() == in_memory.content()
    entries = list(AuditEntry.objects.order_by("position"))
    assert len(entries) >= 7
    assert [e.position for e in entries if e.compute_hash() != e.entry_hash] == []
    report = chain_verify()
    assert report.ok, report.problem
    call_command("audit", "verify")


def test_rich_detail_is_stored_in_canonical_json_types(db):
    entry = AuditEntry.objects.get(pk=record(None, "test.rich", detail=RICH_DETAIL).pk)
    assert entry.detail["amount"] == "12.50" and entry.detail["day"] == "2026-11-24"
    assert entry.detail["id"] == str(uuid.UUID(int=7)) and entry.detail["nested"]["5"] == "int key"
    assert entry.detail["nested"]["tuple"] == [1, "a"] and entry.detail["none"] is None
    assert entry.patient_id is None and chain_verify().ok


def test_a_patient_id_given_as_text_is_stored_and_hashed_as_a_number(db):
    entry = record(None, "test.event", patient="2")
    assert entry.patient_id == 2
    assert AuditEntry.objects.get(pk=entry.pk).compute_hash() == entry.entry_hash


def test_verify_lists_every_broken_entry_not_only_the_first(db):
    from tests.audit.test_audit_trail import _raw

    for n in range(6):
        record(None, "test.event", resource_type="thing", resource_id=n)
    _raw("UPDATE audit_auditentry SET action = %s WHERE position IN (%s, %s)", ["patient.read", 2, 5])
    report = chain_verify()
    assert not report.ok and report.position == 2 and report.checked == 1
    assert [p.position for p in report.problems] == [2, 5]
    with pytest.raises(CommandError, match="entry 2 was altered") as raised:
        call_command("audit", "verify")
    assert "1 more" in str(raised.value)
    with pytest.raises(CommandError) as raised_all:
        call_command("audit", "verify", "--all")
    assert "entry 5 was altered" in str(raised_all.value) or "2 problems" in str(raised_all.value)


def test_an_inbox_task_for_a_patient_leaves_the_trail_verifiable(signed_in, location, clock):
    clerk = signed_in(Role.FRONT_DESK, at=location)
    patient = PatientFactory(home_location=location)
    clerk.post("/frontdesk/inbox/", {"title": "Call back", "due_date": "2026-11-24", "pool": "front_desk",
                                     "patient": str(patient.pk)})
    entry = AuditEntry.objects.get(action="task.create")
    assert entry.patient_id == patient.pk
    assert chain_verify().ok
