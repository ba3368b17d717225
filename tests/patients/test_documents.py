import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from clinicdesk.audit.models import AuditEntry
from clinicdesk.core.exceptions import PermissionDenied, ValidationFailed
from clinicdesk.patients.models import Document
from clinicdesk.patients.services import document_upload
from clinicdesk.patients.services import documents as documents_module
from tests.factories import PatientFactory

from .conftest import PDF_BYTES, jpeg_bytes, png_bytes


@pytest.fixture
def patient(location):
    return PatientFactory(home_location=location)


@pytest.mark.parametrize(("data", "content_type"), [(PDF_BYTES, "application/pdf"), (jpeg_bytes(), "image/jpeg"),
                                                    (png_bytes(), "image/png")])
def test_document_upload_sniffs_the_type_from_the_bytes(clerk, patient, clock, document_storage, data,
                                                        content_type):
    document = document_upload(actor=clerk, patient_id=patient.pk, kind="referral",
                               upload=SimpleUploadedFile("whatever.txt", data), document_date="2026-11-01")
    assert document.content_type == content_type and document.size == len(data)
    stored = document_storage / document.storage_name
    assert stored.read_bytes() == data
    assert not str(stored).startswith(str(settings.STATIC_ROOT))


@pytest.mark.parametrize("data", [b"MZ\x90\x00\x03 a windows program", b"<html><script>alert(1)</script>",
                                  b"\xff\xd8\xff\xe0 truncated jpeg", b"%PDF-1.4 no end marker"])
def test_document_upload_refuses_disguised_files(clerk, patient, clock, data):
    with pytest.raises(ValidationFailed) as refused:
        document_upload(actor=clerk, patient_id=patient.pk, kind="lab-report",
                        upload=SimpleUploadedFile("report.pdf", data))
    assert "not one" in refused.value.fields["file"][0]
    assert Document.objects.count() == 0


def test_document_upload_refuses_oversized_files(clerk, patient, clock, monkeypatch):
    monkeypatch.setattr(documents_module, "MAX_DOCUMENT_BYTES", 100)
    with pytest.raises(ValidationFailed) as refused:
        document_upload(actor=clerk, patient_id=patient.pk, kind="lab-report",
                        upload=SimpleUploadedFile("big.pdf", PDF_BYTES + b" " * 200))
    assert refused.value.code == "file-too-large" and "too large" in refused.value.fields["file"][0]


def test_document_upload_refuses_a_future_date(clerk, patient, clock):
    with pytest.raises(ValidationFailed) as refused:
        document_upload(actor=clerk, patient_id=patient.pk, kind="lab-report",
                        upload=SimpleUploadedFile("a.pdf", PDF_BYTES), document_date="2030-01-01")
    assert "document_date" in refused.value.fields


def test_documents_are_served_only_through_the_audited_view(signed_in, location, patient, clock):
    client = signed_in(at=location)
    document = document_upload(actor=client.user, patient_id=patient.pk, kind="photo-id",
                               upload=SimpleUploadedFile("id.png", png_bytes()))
    response = client.get(f"/patients/documents/{document.pk}/")
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content) == png_bytes()
    assert "id.png" not in response["Content-Disposition"]
    assert AuditEntry.objects.filter(action="document.read", patient_id=patient.pk, actor=client.user).exists()


def test_document_view_hides_documents_of_other_locations(signed_in, other_location, patient, clerk, clock):
    document = document_upload(actor=clerk, patient_id=patient.pk, kind="photo-id",
                               upload=SimpleUploadedFile("id.png", png_bytes()))
    assert signed_in(at=other_location).get(f"/patients/documents/{document.pk}/").status_code == 404


def test_document_upload_refuses_other_locations_and_outsiders(clerk_elsewhere, outsider, patient, clock):
    for actor in (clerk_elsewhere, outsider):
        with pytest.raises(PermissionDenied):
            document_upload(actor=actor, patient_id=patient.pk, kind="photo-id",
                            upload=SimpleUploadedFile("id.png", png_bytes()))


def test_document_screen_names_the_file_field(signed_in, location, patient, clock):
    client = signed_in(at=location)
    response = client.post(f"/patients/{patient.pk}/documents/new/", {
        "kind": "referral", "file": SimpleUploadedFile("x.pdf", b"GIF89a....")})
    assert response.status_code == 422 and b"Only PDF, JPEG and PNG" in response.content
