"""The correspondence screens (#24): write a letter from a template, see it sent, edit a template (a new version),
log a fax and link it to a patient; the worklist's query count does not grow with its rows."""

import datetime as dt
import io

import pytest
from django.urls import reverse

from clinicdesk.comms.models import ComposeTemplate, Correspondence, IncomingItem
from clinicdesk.core.permissions import Role
from clinicdesk.patients.models import Document
from tests.factories import PatientFactory

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def lucia(location):
    return PatientFactory(home_location=location, given_name="Lucía", family_name="Reyes", preferred_language="es",
                          address_line="12 Elm St", city="Springfield", state="MA", postal_code="01103")


def test_a_coordinator_writes_a_letter_from_a_template(signed_in, location, lucia):
    client = signed_in(Role.PATIENT_COORDINATOR)
    page = client.get(reverse("comms:compose"), {"channel": "letter", "patient": lucia.pk})
    assert page.status_code == 200 and "Reyes, Lucía" in page.content.decode()
    template = ComposeTemplate.objects.get(seed_key="balance-letter")
    batch = page.context["batch"]
    response = client.post(reverse("comms:compose"), {"channel": "letter", "patient": [lucia.pk],
                                                      "template": template.pk, "batch": batch,
                                                      "location": location.pk})
    assert response.status_code == 302
    [letter] = Correspondence.objects.all()
    assert Document.objects.filter(pk=letter.document_id, patient=lucia).exists()
    sent = client.get(reverse("comms:sent"))
    assert "Letter (PDF)" in sent.content.decode()


def test_a_letter_without_an_address_is_refused_on_the_page(signed_in, location):
    client = signed_in(Role.PATIENT_COORDINATOR)
    nobody = PatientFactory(home_location=location)
    template = ComposeTemplate.objects.get(seed_key="general-letter")
    response = client.post(reverse("comms:compose"), {"channel": "letter", "patient": [nobody.pk],
                                                      "template": template.pk, "batch": "b1", "location": location.pk})
    assert response.status_code == 422 and "postal address" in response.content.decode()
    assert not Correspondence.objects.exists()


def test_editing_a_template_saves_a_new_version(signed_in):
    client = signed_in(Role.PRACTICE_COORDINATOR)
    template = ComposeTemplate.objects.get(seed_key="please-call-sms")
    url = reverse("comms:compose_template", args=[template.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"body_en": "Call {{ practice.phone }}", "body_es": "Llame al {{ practice.phone }}",
                                 "active": "on"})
    assert response.status_code == 302 and template.versions.count() == 2
    refused = client.post(url, {"body_en": "{{ appointment.reason }}", "body_es": "x", "active": "on"})
    assert refused.status_code == 422 and "appointment.reason" in refused.content.decode()


def test_a_fax_is_logged_and_linked_to_a_patient(signed_in, location, lucia):
    client = signed_in(Role.PATIENT_COORDINATOR)
    scan = io.BytesIO(PDF)
    scan.name = "fax.pdf"
    response = client.post(reverse("comms:incoming_new"), {
        "location": location.pk, "medium": "fax", "kind": "results", "sender": "Quest Labs",
        "received_on": "2026-11-20", "file": scan, "pool": "records"})
    assert response.status_code == 302
    item = IncomingItem.objects.get()
    page = client.get(reverse("comms:incoming_item", args=[item.pk]), {"q": "Reyes"})
    assert "Reyes, Lucía" in page.content.decode()
    client.post(reverse("comms:incoming_item", args=[item.pk]), {"patient": lucia.pk, "kind": "results",
                                                                 "pool": "records"})
    assert Document.objects.get(patient=lucia).kind == "lab-report"
    assert client.get(reverse("comms:incoming_file", args=[item.pk, item.files.get().pk])).status_code == 200


def test_the_incoming_worklist_query_count_does_not_grow(signed_in, location, django_assert_max_num_queries):
    client = signed_in(Role.PATIENT_COORDINATOR)
    for n in range(12):
        IncomingItem.objects.create(location=location, medium="letter", kind="other", sender=f"S{n}",
                                    received_on=dt.date(2026, 11, 20), created_at=dt.datetime(2026, 11, 20,
                                                                                                tzinfo=dt.UTC))
    client.get(reverse("comms:incoming"))
    with django_assert_max_num_queries(20):
        response = client.get(reverse("comms:incoming"))
    assert response.content.decode().count("S1") >= 1
