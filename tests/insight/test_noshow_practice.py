"""The same model on the practice's own appointments: training (service), risk (selector), the JSON API and the
call list screen."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings

from clinicdesk.accounts.models import Role
from clinicdesk.audit.models import AuditEntry
from clinicdesk.core.exceptions import PermissionDenied, ValidationFailed
from clinicdesk.insight.selectors import noshow_risk
from clinicdesk.insight.services import noshow_train_practice
from tests.factories import AppointmentFactory

from .practice_data import practice_history


@pytest.fixture
def history(location, follow_up, clock):
    return practice_history(location, follow_up)


def _model() -> Path:
    return Path(settings.INSIGHT_NOSHOW_MODEL)


def test_noshow_train_practice_stores_the_model_and_audits(history, make_user):
    coordinator = make_user(Role.PRACTICE_COORDINATOR)
    metrics = noshow_train_practice(actor=coordinator)
    assert metrics["labelled"] == history["rows"] and metrics["auc"] is not None
    assert _model().is_file() and Path(str(_model()) + ".json").is_file()
    assert AuditEntry.objects.filter(action="insight.noshow_train").count() == 1
    assert AuditEntry.objects.filter(action="appointment.history").exists()


def test_noshow_train_practice_refuses_too_little_history(location, make_user, clock):
    AppointmentFactory(location=location, status="fulfilled")
    with pytest.raises(ValidationFailed) as refused:
        noshow_train_practice(actor=make_user(Role.PRACTICE_COORDINATOR))
    assert refused.value.code == "too-little-data" and not _model().exists()


def test_noshow_train_practice_is_for_practice_coordinators(location, make_user):
    with pytest.raises(PermissionDenied):
        noshow_train_practice(actor=make_user(Role.BILLING))


def test_noshow_risk_ranks_the_patient_who_misses_visits_higher(history, make_user):
    coordinator = make_user(Role.PRACTICE_COORDINATOR)
    assert noshow_risk(actor=coordinator, appointment_ids=[history["skip"].pk]) == []  # no model yet
    noshow_train_practice(actor=coordinator)
    skip, come = noshow_risk(actor=coordinator, appointment_ids=[history["skip"].pk, history["come"].pk])
    assert (skip.appointment_id, come.appointment_id) == (history["skip"].pk, history["come"].pk)
    assert skip.probability > 0.3 > 0.15 > come.probability
    assert (skip.band, come.band) == ("high", "low")


def test_noshow_risk_needs_reports_read(history, make_user):
    with pytest.raises(PermissionDenied):
        noshow_risk(actor=make_user(Role.FRONT_DESK), appointment_ids=[history["skip"].pk])


def test_noshow_risk_api_answers_each_appointment_with_its_band(history, signed_in, location, make_user):
    noshow_train_practice(actor=make_user(Role.PRACTICE_COORDINATOR))
    client = signed_in(Role.BILLING)
    answer = client.get(f"/api/v1/insight/noshow-risk?date=2026-11-24&location={location.pk}")
    assert answer.status_code == 200
    body = answer.json()
    assert body["model"]["auc"] is not None
    bands = {item["appointment"]: item["band"] for item in body["items"]}
    assert bands == {history["skip"].pk: "high", history["come"].pk: "low"}
    assert client.get(f"/api/v1/insight/noshow-risk?date=tomorrow&location={location.pk}").status_code == 422


def test_noshow_risk_api_without_a_model_says_so(location, signed_in, clock):
    answer = signed_in(Role.BILLING).get(f"/api/v1/insight/noshow-risk?date=2026-11-24&location={location.pk}")
    assert answer.json() == {"date": "2026-11-24", "location": location.pk, "model": None, "items": []}


def test_noshow_screen_lists_tomorrows_high_risk_patients(history, signed_in, location, make_user):
    client = signed_in(Role.PRACTICE_COORDINATOR)
    page = client.get(f"/insight/noshow/?location={location.pk}")
    assert page.status_code == 200 and "No model yet" in page.content.decode()
    answer = client.post("/insight/noshow/train/", follow=True)
    text = answer.content.decode()
    assert "The no-show model was trained on" in text
    assert f'data-appointment="{history["skip"].pk}"' in text
    assert f'data-appointment="{history["come"].pk}"' not in text
