"""Training and certifications (#20 item 6): seeded requirements, completions with a certificate, the selector
other apps use, the compliance matrix, expiry reminders 60/30/7 days ahead, and an expired certification a shift
needs barring the person from that shift in the roster engine."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from clinicdesk.audit.models import AuditEntry
from clinicdesk.core.exceptions import NotFound, PermissionDenied, ValidationFailed
from clinicdesk.core.permissions import Role
from clinicdesk.staffing import services, training_selectors, training_services
from clinicdesk.staffing.demo import staffing_demo
from clinicdesk.staffing.models import Training, TrainingRecord, TrainingReminder
from clinicdesk.staffing.selectors import certification_current
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 23)  # the clock fixture's day


@pytest.fixture(autouse=True)
def seeded(db):
    """The trainings migration 0003 seeds (a transactional test elsewhere may have flushed them)."""
    training_services.trainings_seed()


def _png() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(buffer, "PNG")
    return SimpleUploadedFile("cpr.png", buffer.getvalue(), content_type="image/png")


def test_the_usual_trainings_are_seeded():
    seeded = {t.code: (t.valid_months, sorted(t.roles)) for t in Training.objects.all()}
    assert seeded["HIPAA"][0] == 12 and "front_desk" in seeded["HIPAA"][1]
    assert seeded["CPR-BLS"] == (24, ["nurse", "provider"])
    assert {"OSHA-BBP", "FIRE", "CLIA"} <= set(seeded)


def test_a_completion_with_its_certificate_is_current_until_it_runs_out(clock, make_user, settings, tmp_path):
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}}}
    nurse = make_user(Role.NURSE)
    cpr = Training.objects.get(code="CPR-BLS")
    made = training_services.training_record_create(actor=nurse, user_id=nurse.pk, training_id=cpr.pk,
                                                    completed_on=dt.date(2025, 1, 15), evidence=_png())
    assert made.valid_until == dt.date(2027, 1, 14) and made.evidence_type == "image/png"
    assert certification_current(nurse.pk, "CPR-BLS", dt.date(2027, 1, 14))
    assert not certification_current(nurse.pk, "CPR-BLS", dt.date(2027, 1, 15))
    assert not certification_current(nurse.pk, "HIPAA", TODAY)
    _record, handle = training_selectors.record_evidence(actor=nurse, record_id=made.pk)
    assert handle.read()[:4] == b"\x89PNG"
    assert AuditEntry.objects.filter(action="staffing.training_record.create").count() == 1
    with pytest.raises(ValidationFailed):  # a text file is no certificate
        training_services.training_record_create(
            actor=nurse, user_id=nurse.pk, training_id=cpr.pk, completed_on=TODAY,
            evidence=SimpleUploadedFile("x.png", b"not an image", content_type="image/png"))
    with pytest.raises(ValidationFailed):
        training_services.training_record_create(actor=nurse, user_id=nurse.pk, training_id=cpr.pk,
                                                 completed_on=TODAY + dt.timedelta(days=1))


def test_only_a_coordinator_records_for_someone_else(clock, make_user, other_location):
    nurse, clerk = make_user(Role.NURSE), make_user(Role.FRONT_DESK)
    hipaa = Training.objects.get(code="HIPAA")
    for outsider in (clerk, UserFactory(role=Role.NURSE, location=other_location)):
        with pytest.raises((NotFound, PermissionDenied)) as refused:
            training_services.training_record_create(actor=outsider, user_id=nurse.pk, training_id=hipaa.pk,
                                                     completed_on=TODAY)
        assert refused.value.status == 404
    coordinator = make_user(Role.PRACTICE_COORDINATOR)
    training_services.training_record_create(actor=coordinator, user_id=nurse.pk, training_id=hipaa.pk,
                                             completed_on=TODAY)
    assert certification_current(nurse.pk, "HIPAA", TODAY)


def test_the_matrix_is_red_for_expired_and_missing_amber_for_due(clock, make_user, location):
    coordinator, nurse = make_user(Role.PRACTICE_COORDINATOR), make_user(Role.NURSE)
    hipaa, cpr = Training.objects.get(code="HIPAA"), Training.objects.get(code="CPR-BLS")
    TrainingRecord.objects.create(user=nurse, training=hipaa, completed_on=dt.date(2025, 12, 1),
                                  valid_until=TODAY + dt.timedelta(days=20))
    TrainingRecord.objects.create(user=nurse, training=cpr, completed_on=dt.date(2024, 1, 1),
                                  valid_until=TODAY - dt.timedelta(days=1))
    _trainings, rows = training_selectors.compliance_matrix(actor=coordinator, location_id=location.pk, today=TODAY)
    row = next(r for r in rows if r.user.pk == nurse.pk)
    state = {cell.training.code: (cell.state, cell.tone) for cell in row.cells}
    assert state["HIPAA"] == ("due", "warning")
    assert state["CPR-BLS"] == ("expired", "danger")
    assert state["FIRE"] == ("missing", "danger")
    assert state["CLIA"] == ("none", "neutral")  # required of waived-testing skill holders only
    with pytest.raises(PermissionDenied):
        training_selectors.compliance_matrix(actor=nurse, location_id=location.pk, today=TODAY)


def test_reminders_go_60_30_and_7_days_ahead_to_the_person_and_the_coordinator(clock, make_user):
    make_user(Role.PRACTICE_COORDINATOR, email="coord@example.org")
    nurse = make_user(Role.NURSE, email="nurse@example.org", language="es")
    hipaa = Training.objects.get(code="HIPAA")
    record = TrainingRecord.objects.create(user=nurse, training=hipaa, completed_on=dt.date(2026, 1, 1),
                                           valid_until=TODAY + dt.timedelta(days=60))
    assert training_services.trainings_remind(today=TODAY) == 1
    assert sorted(m.to[0] for m in mail.outbox) == ["coord@example.org", "nurse@example.org"]
    assert training_services.trainings_remind(today=TODAY + dt.timedelta(days=1)) == 0  # once per step
    assert training_services.trainings_remind(today=TODAY + dt.timedelta(days=30)) == 1
    assert training_services.trainings_remind(today=TODAY + dt.timedelta(days=55)) == 1
    assert sorted(TrainingReminder.objects.filter(record=record).values_list("days_ahead", flat=True)) == [7, 30, 60]
    # renewed: no more reminders for the old record
    TrainingRecord.objects.create(user=nurse, training=hipaa, completed_on=TODAY, valid_until=TODAY.replace(year=2027))
    TrainingReminder.objects.all().delete()
    assert training_services.trainings_remind(today=TODAY + dt.timedelta(days=55)) == 0


def test_an_expired_certification_bars_the_shift_in_the_engine(clock, make_user, location):
    coordinator = make_user(Role.PRACTICE_COORDINATOR)
    users = [make_user(Role.NURSE) for _ in range(3)]
    setup = staffing_demo(actor=coordinator, location_id=location.pk, users=users, period_start=TODAY,
                          publish=False)
    xray = Training.objects.create(code="XR", name="Radiation safety", valid_months=12)
    xray.shift_types.add(setup.shifts["L"])
    clia = Training.objects.get(code="CLIA")
    clia.skills.add(setup.skills["Phlebotomy"])
    TrainingRecord.objects.create(user=users[0], training=xray, completed_on=dt.date(2026, 1, 1),
                                  valid_until=TODAY + dt.timedelta(days=3))
    TrainingRecord.objects.create(user=users[1], training=xray, completed_on=dt.date(2026, 1, 1),
                                  valid_until=TODAY + dt.timedelta(days=400))
    built = services._build_instance(location_id=location.pk, period_start=TODAY)
    first, second = (services._staff_key(m.pk) for m in setup.members[:2])
    bars = built.instance.barred_of(first)
    assert (3, "L") not in bars and bars[4, "L"] == "certification" and (4, "E") not in bars
    # the second holds phlebotomy without CLIA: barred where a phlebotomist is needed (weekday earlies)
    assert built.instance.barred_of(second).get((0, "E")) == "certification"
    assert (5, "E") not in built.instance.barred_of(second)  # Saturday early needs anyone, not a phlebotomist
    # and the solver keeps to it
    from clinicdesk.staffing import engine

    result = engine.solve(built.instance, seconds=2, workers=1)
    worked = {(a.staff, a.day, a.shift) for a in result.assignments}
    assert not any((first, day, "L") in worked for day in range(4, 28))
    assert engine.evaluate(built.instance, result.assignments).feasible
