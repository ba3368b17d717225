"""The JSON API reads JSON bodies only (core.api.json_body): a form, multipart, text or a body with no
Content-Type is a 415 problem, never a 500. (Regression: a multipart POST to /api/v1/appointments/search
was a RawPostDataException, because the CSRF check had already consumed the multipart stream.)"""

from __future__ import annotations

import json

import pytest
from django.conf import settings
from django.test import Client

from clinicdesk.core import openapi
from clinicdesk.scheduling.models import Appointment, AppointmentStatus
from tests.factories import AppointmentFactory

PROBLEM = "application/problem+json"
CSRF = "mediatypecsrf0000000000000000000"


@pytest.fixture
def api(clock, clerk) -> Client:
    """A signed-in front-desk user whose writes go through Django's real CSRF check (as a browser's do)."""
    client = Client(enforce_csrf_checks=True, raise_request_exception=False, headers={"X-CSRFToken": CSRF})
    client.cookies[settings.CSRF_COOKIE_NAME] = CSRF
    client.force_login(clerk)
    return client


@pytest.fixture
def booked(location, provider, follow_up, patient):
    return AppointmentFactory(location=location, practitioner=provider, appointment_type=follow_up, patient=patient)


@pytest.fixture
def search_body(location, follow_up) -> dict:
    return {"appointmentType": follow_up.pk, "location": location.pk}


def _refused(answer) -> None:
    assert answer.status_code == 415, answer.content[:300]
    assert answer["Content-Type"] == PROBLEM
    problem = answer.json()
    assert problem["status"] == 415 and problem["code"] == "unsupported-media-type"
    assert "application/json" in problem["detail"]


def test_a_multipart_search_is_a_415_not_a_500(api, search_body):
    _refused(api.post("/api/v1/appointments/search", search_body))  # the test client's default: multipart


@pytest.mark.parametrize("content_type", ["application/x-www-form-urlencoded", "text/plain",
                                          "application/xml", "application/json; charset=latin-1"])
def test_a_search_in_another_content_type_is_a_415(api, search_body, content_type):
    body = "appointmentType=1&location=1" if "form" in content_type else json.dumps(search_body)
    _refused(api.post("/api/v1/appointments/search", body, content_type=content_type))


def test_a_body_without_a_content_type_is_a_415(api, search_body):
    _refused(api.generic("POST", "/api/v1/appointments/search", json.dumps(search_body), CONTENT_TYPE=""))


@pytest.mark.parametrize("content_type", ["application/json", "application/json; charset=utf-8",
                                          "Application/JSON; charset=UTF-8"])
def test_json_with_or_without_a_utf8_charset_is_read(api, search_body, content_type):
    answer = api.post("/api/v1/appointments/search", json.dumps(search_body), content_type=content_type)
    assert answer.status_code == 200 and "options" in answer.json()


def test_every_api_write_refuses_a_form_and_changes_nothing(api, booked, provider, location, follow_up, patient):
    urls = ["/api/v1/appointments", f"/api/v1/appointments/{booked.pk}/reschedule",
            f"/api/v1/appointments/{booked.pk}/cancel", f"/api/v1/appointments/{booked.pk}/status"]
    form = {"patient": patient.pk, "practitioner": provider.pk, "location": location.pk,
            "appointmentType": follow_up.pk, "start": "2026-11-24T14:00:00+00:00", "reason": "Form",
            "status": "arrived"}
    for url in urls:
        _refused(api.post(url, form))
        _refused(api.post(url, form, content_type="application/x-www-form-urlencoded"))
    booked.refresh_from_db()
    assert booked.status == AppointmentStatus.BOOKED and Appointment.objects.count() == 1


def test_a_write_without_a_body_needs_no_content_type(api, booked):
    """No body, nothing to label: read as {} (the service then says what is missing), not a 415."""
    answer = api.generic("POST", f"/api/v1/appointments/{booked.pk}/status", "", CONTENT_TYPE="")
    assert answer.status_code == 422 and answer.json()["code"] != "unsupported-media-type"


def test_the_openapi_document_lists_415_on_every_operation_with_a_body():
    document = openapi.document()
    assert "415" in document["components"]["responses"]
    with_body = [(path, method, operation) for path, item in document["paths"].items()
                 for method, operation in item.items() if "requestBody" in operation]
    assert len(with_body) >= 5  # the appointment operations, and every configuration write (core.resources)
    for path, method, operation in with_body:
        assert operation["responses"]["415"] == {"$ref": "#/components/responses/415"}, (path, method)
        assert list(operation["requestBody"]["content"]) == ["application/json"]
