import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from clinicdesk.core.exceptions import Conflict, NotFound, PermissionDenied, ValidationFailed
from clinicdesk.patients.models import Coverage, Document, Payer
from clinicdesk.patients.services import coverage_add, coverage_end
from tests.factories import PatientFactory

from .conftest import jpeg_bytes


@pytest.fixture
def patient(location):
    return PatientFactory(home_location=location)


def _add(actor, patient, payer, **changes):
    values = {"payer_id": payer.pk, "member_id": "W123456789", "start_date": dt.date(2026, 1, 1),
              "copay_primary": "25.00", "copay_specialist": "50"}
    values.update(changes)
    return coverage_add(actor=actor, patient_id=patient.pk, **values)


def test_payer_list_is_seeded_with_common_us_payers(db):
    names = set(Payer.objects.values_list("name", flat=True))
    assert {"Aetna", "Cigna", "UnitedHealthcare", "Medicare Part B", "Self-pay"} <= names


def test_coverage_add_keeps_plan_order_dates_and_copays(clerk, patient, aetna, clock):
    coverage = _add(clerk, patient, aetna, group_number="grp-77", plan_name="Choice POS II")
    assert coverage.order == 1 and coverage.member_id == "W123456789" and coverage.group_number == "GRP-77"
    assert coverage.copay_primary == Decimal("25.00") and coverage.copay_specialist == Decimal("50")


def test_coverage_add_refuses_an_overlapping_coverage_of_the_same_order(clerk, patient, aetna, clock):
    _add(clerk, patient, aetna, end_date=dt.date(2026, 12, 31))
    cigna = Payer.objects.get(name="Cigna")
    with pytest.raises(Conflict) as refused:
        _add(clerk, patient, cigna, member_id="U555", start_date=dt.date(2026, 6, 1))
    assert refused.value.code == "coverage-overlap"
    assert "primary coverage with Aetna from 01/01/2026 to 12/31/2026" in refused.value.detail
    assert Coverage.objects.count() == 1


def test_coverage_add_accepts_another_order_or_later_dates(clerk, patient, aetna, clock):
    _add(clerk, patient, aetna, end_date=dt.date(2026, 6, 30))
    _add(clerk, patient, aetna, member_id="B1", start_date=dt.date(2026, 7, 1))
    _add(clerk, patient, Payer.objects.get(name="Cigna"), member_id="C1", order=2)
    assert Coverage.objects.filter(patient=patient).count() == 3


@pytest.mark.parametrize(("changes", "field"), [
    ({"member_id": "W12 34$"}, "member_id"), ({"member_id": ""}, "member_id"), ({"payer_id": 999999}, "payer"),
    ({"start_date": "2026-02-31"}, "start_date"), ({"end_date": dt.date(2025, 1, 1)}, "end_date"),
    ({"copay_primary": "-5"}, "copay_primary"), ({"copay_primary": "ten"}, "copay_primary"), ({"order": 4}, "order"),
    ({"relationship": "spouse"}, "subscriber_family_name"),
])
def test_coverage_add_names_the_bad_field(clerk, patient, aetna, clock, changes, field):
    with pytest.raises(ValidationFailed) as refused:
        _add(clerk, patient, aetna, **changes)
    assert field in refused.value.fields
    assert Coverage.objects.count() == 0


def test_coverage_add_keeps_a_spouse_subscriber_and_card_images(clerk, patient, aetna, clock):
    coverage = _add(clerk, patient, aetna, relationship="spouse", subscriber_family_name="Garcia",
                    subscriber_given_name="Pedro", subscriber_birth_date="1979-02-03", subscriber_sex="male",
                    card_front=SimpleUploadedFile("front.jpg", jpeg_bytes()),
                    card_back=SimpleUploadedFile("back.jpg", jpeg_bytes()))
    assert coverage.subscriber_name == "Garcia, Pedro"
    assert coverage.card_front.kind == Document.Kind.INSURANCE_CARD and coverage.card_back.content_type == "image/jpeg"


def test_coverage_add_refuses_a_disguised_card_image_and_saves_nothing(clerk, patient, aetna, clock):
    with pytest.raises(ValidationFailed) as refused:
        _add(clerk, patient, aetna, card_front=SimpleUploadedFile("front.jpg", b"MZ\x90\x00 not an image"))
    assert "card_front" in refused.value.fields
    assert Coverage.objects.count() == 0 and Document.objects.count() == 0


def test_coverage_end_closes_a_coverage(clerk, patient, aetna, clock):
    coverage = _add(clerk, patient, aetna)
    assert coverage_end(actor=clerk, coverage_id=coverage.pk, end_date="2026-03-31").end_date == dt.date(2026, 3, 31)


def test_coverage_add_refuses_other_locations_like_a_missing_chart(clerk_elsewhere, patient, aetna, clock):
    with pytest.raises(PermissionDenied) as refused:
        _add(clerk_elsewhere, patient, aetna)
    assert refused.value.status == NotFound.status


def test_coverage_add_refuses_an_outsider(outsider, patient, aetna, clock):
    with pytest.raises(PermissionDenied):
        _add(outsider, patient, aetna)


def test_insurance_screen_shows_the_overlap_message_on_the_form(signed_in, location, patient, aetna, clock):
    client = signed_in(at=location)
    _add(client.user, patient, aetna)
    response = client.post(f"/patients/{patient.pk}/insurance/new/", {
        "payer": aetna.pk, "member_id": "Z9", "order": 1, "start_date": "03/01/2026", "relationship": "self"})
    assert response.status_code == 422 and b"overlaps these dates" in response.content
