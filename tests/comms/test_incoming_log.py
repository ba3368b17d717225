"""Incoming correspondence (#24): logged with its scan, assigned to a person or a pool, linked to a patient (the scan
filed on the chart), worked to done; refusals write nothing; another location's staff never see it."""

import datetime as dt
import io

import pytest

from clinicdesk.audit.models import AuditEntry
from clinicdesk.comms.incoming import incoming_done, incoming_log, incoming_update
from clinicdesk.comms.models import IncomingItem
from clinicdesk.comms.selectors_incoming import incoming_worklist
from clinicdesk.core.exceptions import DomainError, ValidationFailed
from clinicdesk.core.permissions import Role
from clinicdesk.patients.models import Document

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def scan(name="fax.pdf", data=PDF):
    handle = io.BytesIO(data)
    handle.name = name
    return handle


@pytest.fixture
def coordinator(make_user):
    return make_user(Role.PATIENT_COORDINATOR)


def _log(actor, location, **changes):
    fields = {"location_id": location.pk, "medium": "fax", "kind": "referral", "sender": "Valley Cardiology",
              "received_on": dt.date(2026, 11, 20), "upload": scan(), **changes}
    return incoming_log(actor=actor, **fields)


def test_a_fax_is_logged_with_its_scan_and_audited(coordinator, location):
    item = _log(coordinator, location)
    assert item.state == IncomingItem.State.NEW and item.files.count() == 1
    assert item.files.get().content_type == "application/pdf"
    assert AuditEntry.objects.filter(action="incoming.log").count() == 1


def test_assigning_to_a_pool_with_a_due_date_and_linking_a_patient_files_the_scan_on_the_chart(
        coordinator, location, patient):
    item = _log(coordinator, location)
    item = incoming_update(actor=coordinator, item_id=item.pk, kind="referral", patient_id=patient.pk,
                           pool="records", due_date=dt.date(2026, 11, 30))
    assert item.state == IncomingItem.State.ASSIGNED and item.patient == patient
    [document] = Document.objects.filter(patient=patient)
    assert document.kind == "referral" and "Valley Cardiology" in document.description
    assert item.files.get().document_id == document.pk
    incoming_update(actor=coordinator, item_id=item.pk, kind="referral", patient_id=patient.pk, pool="records")
    assert Document.objects.filter(patient=patient).count() == 1  # filed once
    assert incoming_done(actor=coordinator, item_id=item.pk).state == IncomingItem.State.DONE


def test_assigning_to_a_person_of_another_location_is_refused(coordinator, location, outsider):
    item = _log(coordinator, location)
    with pytest.raises(ValidationFailed):
        incoming_update(actor=coordinator, item_id=item.pk, kind="referral", assignee_id=outsider.pk)
    assert IncomingItem.objects.get(pk=item.pk).state == IncomingItem.State.NEW


def test_a_file_that_is_not_a_scan_is_refused_and_nothing_is_logged(coordinator, location):
    with pytest.raises(ValidationFailed):
        _log(coordinator, location, upload=scan("virus.exe", b"MZ\x90\x00not a pdf"))
    assert not IncomingItem.objects.exists()


def test_a_missing_sender_is_refused(coordinator, location):
    with pytest.raises(ValidationFailed) as refused:
        _log(coordinator, location, sender=" ")
    assert "sender" in refused.value.fields


def test_another_locations_user_cannot_log_or_touch_it(coordinator, location, outsider):
    with pytest.raises(DomainError):
        _log(outsider, location)
    item = _log(coordinator, location)
    with pytest.raises(DomainError) as refused:
        incoming_done(actor=outsider, item_id=item.pk)
    assert refused.value.status == 404


def test_a_provider_may_not_log_mail(make_user, location):
    with pytest.raises(DomainError):
        _log(make_user(Role.PROVIDER), location)


def test_the_worklist_is_per_location_and_open_items_first(coordinator, location, other_location, make_user,
                                                         django_assert_max_num_queries):
    for n in range(5):
        _log(coordinator, location, sender=f"Sender {n}", upload=None)
    elsewhere = make_user(Role.PATIENT_COORDINATOR, at=other_location)
    _log(elsewhere, other_location, sender="Uptown sender", upload=None)
    done = _log(coordinator, location, sender="Old one", upload=None)
    incoming_done(actor=coordinator, item_id=done.pk)
    with django_assert_max_num_queries(4):
        rows = list(incoming_worklist(actor=coordinator, location_id=location.pk, state="open"))
    assert len(rows) == 5 and all(r.location_id == location.pk for r in rows)
    assert "Old one" not in [r.sender for r in rows]
