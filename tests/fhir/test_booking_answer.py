"""#16 item 3: a FHIR booking's version stamp is out of the booking's critical section. The booking's transaction
(its row locks, its write, its audit entries, its answer) writes no version; version 1 is stored by the after-commit
hook (history.on_appointment_changed, beside the reminders planned in the worker), and until then a read serves the
same content as version 1. The answer still names the right version, and the history is still complete."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from clinicdesk.audit.models import AuditEntry
from clinicdesk.comms import tasks as comms_tasks
from clinicdesk.interop.fhir import versions
from clinicdesk.interop.fhir.models import ResourceVersion
from clinicdesk.scheduling.services import BookingRequest, appointment_book, appointment_cancel
from tests.factories import UserFactory

from .test_scheduling import _booking


def _stored(pk: str) -> list[ResourceVersion]:
    return list(ResourceVersion.objects.filter(resource_type="Appointment", resource_id=pk).order_by("version_id"))


def test_the_booking_writes_no_version_and_the_answer_names_version_1(
        clinic, system_api, clock, django_capture_on_commit_callbacks):
    api = system_api()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        created = api.post("Appointment", _booking(clinic, clinic.patients[0]))
        assert created.status_code == 201, created.content
        body = created.json()
        # Nothing written in the booking's transaction: version 1 is stored by the after-commit hook.
        assert _stored(body["id"]) == []
    assert body["meta"]["versionId"] == "1" and created["ETag"] == 'W/"1"'
    assert created["Location"].endswith(f"/Appointment/{body['id']}/_history/1")
    # The create is audited as the booking and as the FHIR answer, which is the booked appointment itself: no
    # read-back (and no appointment.read entry of it) in the request (docs/adr/0006, the after-commit follow-up).
    actions = list(AuditEntry.objects.filter(resource_type="appointment", resource_id=body["id"])
                   .values_list("action", flat=True))
    assert actions == ["appointment.book"]
    assert AuditEntry.objects.filter(action="fhir.create.Appointment").count() == 1
    for callback in callbacks:
        callback()
    (version,) = _stored(body["id"])
    assert version.version_id == 1 and version.content == {k: v for k, v in body.items() if k != "meta"}
    assert api.get(f"Appointment/{body['id']}/_history/1").json() == body


def test_a_booking_reads_each_row_it_needs_once(clinic, system_api, clock, django_capture_on_commit_callbacks,
                                                monkeypatch):
    """The booking path's reads stay cut (#16 item 3): the type once in the protocol, the appointment never read back
    before the answer; after commit, the day's recount reads the counts only and version 1 is written at once."""
    api = system_api()
    api.post("Appointment", _booking(clinic, clinic.patients[0]))  # warm: the token, the chain head
    planned: list[int] = []  # the worker's reminder planning, left out of the count (the test backend runs it inline)
    monkeypatch.setattr(comms_tasks, "plan_reminders", SimpleNamespace(enqueue=planned.append))
    with CaptureQueriesContext(connection) as request_queries, \
            django_capture_on_commit_callbacks(execute=False) as callbacks:
        created = api.post("Appointment", _booking(clinic, clinic.patients[1], start="2026-11-24T15:00:00Z"))
    assert created.status_code == 201, created.content
    with CaptureQueriesContext(connection) as hook_queries:
        for callback in callbacks:
            callback()

    def reads(queries: CaptureQueriesContext, table: str) -> int:
        return sum(1 for q in queries.captured_queries
                   if q["sql"].lstrip().upper().startswith("SELECT") and f'FROM "{table}"' in q["sql"])

    assert reads(request_queries, "scheduling_appointment") == 0
    assert reads(request_queries, "fhir_resourceversion") == 0  # booked here, without a key: version 1, not looked up
    assert reads(request_queries, "scheduling_appointmenttype") == 2  # the FHIR code, then the protocol's one read
    hooks_sql = [q["sql"] for q in hook_queries.captured_queries]
    # The day's recount after a booking: the counts only (no reminders or flow-board times, no delete).
    assert reads(hook_queries, "frontdesk_visit") == 0
    assert not any(sql.startswith('DELETE FROM "insight_dailyappointments"') for sql in hooks_sql)
    assert sum(sql.startswith('INSERT INTO "insight_dailyappointments"') for sql in hooks_sql) == 1
    # Version 1 is inserted, not looked for first.
    assert reads(hook_queries, "fhir_resourceversion") == 0
    assert sum(sql.startswith('INSERT INTO "fhir_resourceversion"') for sql in hooks_sql) == 1
    # The handlers are lent the booking as written: the only read of the schedule after commit is the day's counts,
    # counted and upserted in one statement.
    schedule_reads = [sql for sql in hooks_sql if 'FROM "scheduling_appointment"' in sql]
    assert len(schedule_reads) == 1 and schedule_reads[0].startswith('INSERT INTO "insight_dailyappointments"')
    assert planned == [int(created.json()["id"])]  # the reminders are planned by the worker, as before


def test_a_booking_changed_in_its_own_transaction_keeps_both_versions(
        clinic, clock, django_capture_on_commit_callbacks):
    """The booking's copy is version 1 only while no version is stored: a change in the same transaction records
    its versions first (inside it), and the booking's hook then reads the committed row instead of its copy."""
    clerk = UserFactory(location=clinic.location)
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        booked = appointment_book(actor=clerk, request=BookingRequest(
            patient_id=clinic.patients[0].pk, practitioner_id=clinic.practitioner.pk, location_id=clinic.location.pk,
            appointment_type_id=clinic.kind.pk, start=dt.datetime(2026, 11, 24, 14, tzinfo=dt.UTC)))
        appointment_cancel(actor=clerk, appointment_id=booked.pk, reason="Changed her mind")
    stored = _stored(str(booked.pk))
    assert [(v.version_id, v.content["status"]) for v in stored] == [(1, "booked"), (2, "cancelled")]


def test_a_replayed_key_answers_the_latest_version(clinic, system_api, clock, django_capture_on_commit_callbacks):
    api = system_api()
    with django_capture_on_commit_callbacks(execute=True):
        first = api.post("Appointment", _booking(clinic, clinic.patients[0]), **{"Idempotency-Key": "k-1"})
    assert first.status_code == 201, first.content
    pk = first.json()["id"]
    with django_capture_on_commit_callbacks(execute=True):
        cancelled = api.patch(f"Appointment/{pk}", [{"op": "replace", "path": "/status", "value": "cancelled"},
                                                    {"op": "add", "path": "/cancelationReason", "value": "Ill"}])
    assert cancelled.json()["meta"]["versionId"] == "2"
    with django_capture_on_commit_callbacks(execute=True):
        again = api.post("Appointment", _booking(clinic, clinic.patients[0]), **{"Idempotency-Key": "k-1"})
    assert again.status_code == 201 and again.json()["id"] == pk
    assert again.json()["meta"]["versionId"] == "2" and again["ETag"] == 'W/"2"'
    assert [v.version_id for v in _stored(pk)] == [1, 2]


@pytest.mark.django_db(transaction=True)
def test_the_version_is_stored_after_the_booking_commits(clinic, system_api, clock, monkeypatch):
    """With real commits: the version is written once the booking's transaction has committed (its after-commit
    hooks are running, none waiting any more), and it is the answer's version 1."""
    api = system_api()
    pending: list[bool] = []  # at each version write: were the booking's after-commit hooks still waiting?

    def spying(write):
        def spy(resource_type, *args, **kwargs):
            if resource_type == "Appointment":
                pending.append(bool(connection.run_on_commit))
            return write(resource_type, *args, **kwargs)
        return spy

    monkeypatch.setattr(versions, "record", spying(versions.record))
    monkeypatch.setattr(versions, "record_first", spying(versions.record_first))
    created = api.post("Appointment", _booking(clinic, clinic.patients[0]))
    assert created.status_code == 201, created.content
    body = created.json()
    assert pending and not any(pending), "a version was written inside the booking's transaction"
    (version,) = _stored(body["id"])
    assert version.version_id == 1 and body["meta"]["versionId"] == "1"
    assert version.content == {k: v for k, v in body.items() if k != "meta"}
