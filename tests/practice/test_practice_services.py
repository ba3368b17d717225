import pytest

from clinicdesk.core.exceptions import Conflict, PermissionDenied, ValidationFailed
from clinicdesk.core.identifiers import npi_complete
from clinicdesk.core.permissions import Role
from clinicdesk.practice.models import Practitioner, Room
from clinicdesk.practice.services import equipment_create, practitioner_create, room_create
from tests.factories import SpecialtyFactory, UserFactory

VALID_NPI = npi_complete("123456789")


@pytest.fixture
def admin(location):
    return UserFactory(role=Role.PRACTICE_COORDINATOR, location=location)


def test_practitioner_create_checks_the_npi_check_digit(db, admin, location):
    bad = VALID_NPI[:-1] + str((int(VALID_NPI[-1]) + 1) % 10)
    with pytest.raises(ValidationFailed) as error:
        practitioner_create(actor=admin, first_name="Ana", last_name="Ruiz", npi=bad, location_ids=[location.pk])
    assert error.value.code == "bad-npi"
    assert Practitioner.objects.count() == 0


def test_practitioner_create_records_specialties_and_locations(db, admin, location):
    SpecialtyFactory(code="dermatology", name="Dermatology")
    doctor = practitioner_create(actor=admin, first_name="Ana", last_name="Ruiz", npi=VALID_NPI,
                                 location_ids=[location.pk], specialty_codes=["dermatology"], credentials="MD")
    assert doctor.specialty == "Dermatology"
    assert list(doctor.locations.all()) == [location]
    with pytest.raises(Conflict):
        practitioner_create(actor=admin, first_name="B", last_name="C", npi=VALID_NPI, location_ids=[location.pk])


def test_practice_set_up_is_refused_to_other_locations_and_outsiders(db, location, other_location):
    clerk = UserFactory(role=Role.FRONT_DESK, location=location)
    with pytest.raises(PermissionDenied):
        room_create(actor=clerk, location_id=location.pk, name="Room 9")
    with pytest.raises(PermissionDenied):
        practitioner_create(actor=clerk, first_name="A", last_name="B", npi=VALID_NPI, location_ids=[location.pk])
    assert Room.objects.count() == 0


def test_rooms_and_equipment_have_known_kinds(db, admin, location):
    assert room_create(actor=admin, location_id=location.pk, name="Procedure 1", kind="procedure").kind == "procedure"
    with pytest.raises(ValidationFailed):
        room_create(actor=admin, location_id=location.pk, name="X", kind="kitchen")
    assert equipment_create(actor=admin, location_id=location.pk, name="US-1", kind="ultrasound").kind == "ultrasound"
