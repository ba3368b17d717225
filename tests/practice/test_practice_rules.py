"""The practice set-up services: each rule, its refusal (nothing written), who may do it, and the audit detail."""

import datetime as dt

import pytest

from clinicdesk.audit.models import AuditEntry
from clinicdesk.core.exceptions import Conflict, NotFound, PermissionDenied, ValidationFailed
from clinicdesk.core.identifiers import npi_complete
from clinicdesk.core.permissions import Role
from clinicdesk.practice.models import Equipment, Location, OpeningHours, Organization, Practitioner, Room
from clinicdesk.practice.services import (
    equipment_create,
    equipment_deactivate,
    equipment_update,
    location_create,
    location_deactivate,
    location_hours_set,
    location_update,
    organization_update,
    practitioner_create,
    practitioner_deactivate,
    practitioner_update,
    room_create,
    room_deactivate,
    room_update,
)
from tests.factories import EquipmentFactory, PractitionerFactory, RoomFactory, SpecialtyFactory, UserFactory

NPI = npi_complete("123456789")
OTHER_NPI = npi_complete("987654321")
BAD_NPI = NPI[:-1] + str((int(NPI[-1]) + 1) % 10)
T = dt.time


@pytest.fixture
def admin(location):
    return UserFactory(role=Role.PRACTICE_COORDINATOR, location=location)


def _location(actor, **changes):
    values = {"code": "north", "name": "North Clinic", "address_line": "9 Elm St", "city": "Springfield",
              "state": "MA", "postal_code": "01103", "phone": "(413) 555-0101", "time_zone": "America/New_York"}
    return location_create(actor=actor, **(values | changes))


# --- organization ---------------------------------------------------------------------------------------------

def test_organization_update_creates_the_one_organization_when_there_is_none(db):
    sysadmin = UserFactory(role=Role.SYSADMIN)
    org = organization_update(actor=sysadmin, name="Valley Health", tax_id="123456789", npi=NPI)
    assert (org.name, org.tax_id, org.npi) == ("Valley Health", "12-3456789", NPI)
    assert Organization.objects.count() == 1
    assert AuditEntry.objects.filter(action="organization.create").exists()


def test_organization_update_records_what_changed(db, admin, location):
    organization_update(actor=admin, phone="(413) 555-0199")
    entry = AuditEntry.objects.get(action="organization.update")
    assert entry.detail["changes"] == {"phone": ["", "(413) 555-0199"]}


def test_organization_update_refuses_a_bad_group_npi(db, admin, location):
    with pytest.raises(ValidationFailed) as error:
        organization_update(actor=admin, npi=BAD_NPI)
    assert error.value.code == "bad-npi" and "npi" in error.value.fields
    assert Organization.objects.get().npi == ""


def test_organization_update_refuses_a_bad_tax_id(db, admin, location):
    with pytest.raises(ValidationFailed) as error:
        organization_update(actor=admin, tax_id="12-34")
    assert error.value.code == "bad-tax-id"


def test_organization_update_is_refused_to_the_front_desk(db, clerk):
    with pytest.raises(PermissionDenied):
        organization_update(actor=clerk, name="Mine")
    assert not Organization.objects.filter(name="Mine").exists()


# --- locations ------------------------------------------------------------------------------------------------

def test_location_create_adds_a_location_with_its_zone(db, admin, location):
    north = _location(admin)
    assert north.organization == location.organization and north.tz.key == "America/New_York"
    assert AuditEntry.objects.filter(action="location.create", resource_id=str(north.pk)).exists()


def test_location_create_refuses_an_unknown_time_zone(db, admin, location):
    with pytest.raises(ValidationFailed) as error:
        _location(admin, time_zone="America/Springfield")
    assert error.value.code == "bad-time-zone" and "time_zone" in error.value.fields
    assert not Location.objects.filter(code="north").exists()


def test_location_create_refuses_a_duplicate_code(db, admin, location):
    with pytest.raises(Conflict) as error:
        _location(admin, code=location.code)
    assert error.value.code == "duplicate-location-code"
    assert Location.objects.count() == 1


def test_location_create_refuses_a_bad_zip_and_state(db, admin, location):
    with pytest.raises(ValidationFailed):
        _location(admin, postal_code="1103")
    with pytest.raises(ValidationFailed):
        _location(admin, state="Mass")
    assert Location.objects.count() == 1


def test_location_create_is_refused_to_the_front_desk(db, clerk):
    with pytest.raises(PermissionDenied):
        _location(clerk)
    assert not Location.objects.filter(code="north").exists()


def test_location_update_changes_only_what_is_given_and_records_it(db, admin, location):
    location_update(actor=admin, location_id=location.pk, time_zone="America/Chicago")
    location.refresh_from_db()
    assert location.time_zone == "America/Chicago" and location.name == "Downtown"
    entry = AuditEntry.objects.get(action="location.update")
    assert entry.detail["changes"] == {"time_zone": ["America/New_York", "America/Chicago"]}


def test_location_update_refuses_an_unknown_field(db, admin, location):
    with pytest.raises(ValidationFailed):
        location_update(actor=admin, location_id=location.pk, organization_id=5)


def test_location_update_is_refused_to_a_user_of_another_location(db, location, other_location):
    desk = UserFactory(role=Role.FRONT_DESK, location=other_location)
    with pytest.raises(PermissionDenied):
        location_update(actor=desk, location_id=location.pk, name="Taken over")
    location.refresh_from_db()
    assert location.name == "Downtown"


def test_location_deactivate_and_reactivate(db, admin, location):
    location_deactivate(actor=admin, location_id=location.pk)
    location.refresh_from_db()
    assert not location.active
    location_update(actor=admin, location_id=location.pk, active=True)
    location.refresh_from_db()
    assert location.active


def test_location_update_of_a_missing_location_is_not_found(db, admin):
    with pytest.raises(NotFound):
        location_update(actor=admin, location_id=999999, name="X")


# --- opening hours --------------------------------------------------------------------------------------------

def test_location_hours_set_allows_a_lunch_break(db, admin, location):
    location_hours_set(actor=admin, location_id=location.pk,
                       hours=[(0, T(8), T(12)), (0, T(13), T(17)), (1, T(8), T(17))])
    assert list(location.hours.values_list("weekday", "opens", "closes")) == [
        (0, T(8), T(12)), (0, T(13), T(17)), (1, T(8), T(17))]
    entry = AuditEntry.objects.get(action="location.hours")
    assert entry.detail["changes"]["hours"][1][0] == [0, "08:00", "12:00"]


def test_location_hours_set_refuses_overlapping_periods_on_one_day(db, admin, location):
    location_hours_set(actor=admin, location_id=location.pk, hours=[(2, T(9), T(17))])
    with pytest.raises(ValidationFailed) as error:
        location_hours_set(actor=admin, location_id=location.pk, hours=[(0, T(8), T(12)), (0, T(11), T(17))])
    assert error.value.code == "hours-overlap"
    assert list(location.hours.values_list("weekday", flat=True)) == [2]  # nothing changed


def test_location_hours_set_allows_touching_periods_and_other_days(db, admin, location):
    location_hours_set(actor=admin, location_id=location.pk,
                       hours=[(0, T(8), T(12)), (0, T(12), T(13)), (1, T(11), T(17))])
    assert OpeningHours.objects.count() == 3


def test_location_hours_set_refuses_closing_before_opening(db, admin, location):
    with pytest.raises(ValidationFailed) as error:
        location_hours_set(actor=admin, location_id=location.pk, hours=[(0, T(17), T(8))])
    assert error.value.code == "closes-before-opens"
    assert OpeningHours.objects.count() == 0


def test_location_hours_set_refuses_a_bad_weekday(db, admin, location):
    with pytest.raises(ValidationFailed):
        location_hours_set(actor=admin, location_id=location.pk, hours=[(7, T(8), T(12))])


def test_location_hours_set_is_refused_to_the_front_desk(db, clerk, location):
    with pytest.raises(PermissionDenied):
        location_hours_set(actor=clerk, location_id=location.pk, hours=[(0, T(8), T(12))])
    assert OpeningHours.objects.count() == 0


# --- practitioners --------------------------------------------------------------------------------------------

def test_practitioner_update_changes_npi_specialties_and_locations(db, admin, location, other_location):
    SpecialtyFactory(code="dermatology", name="Dermatology")
    doctor = practitioner_create(actor=admin, first_name="Ana", last_name="Ruiz", npi=NPI, location_ids=[location.pk])
    practitioner_update(actor=admin, practitioner_id=doctor.pk, npi=OTHER_NPI, specialty_codes=["dermatology"],
                        location_ids=[location.pk, other_location.pk], max_patient_age=17)
    doctor.refresh_from_db()
    assert doctor.npi == OTHER_NPI and doctor.specialty == "Dermatology" and doctor.max_patient_age == 17
    assert set(doctor.locations.all()) == {location, other_location}
    changes = AuditEntry.objects.get(action="practitioner.update").detail["changes"]
    assert changes["npi"] == [NPI, OTHER_NPI] and changes["locations"] == ["Downtown", "Downtown, Uptown"]


def test_practitioner_update_refuses_a_bad_npi(db, admin, location):
    doctor = PractitionerFactory(location=location, npi=NPI)
    with pytest.raises(ValidationFailed) as error:
        practitioner_update(actor=admin, practitioner_id=doctor.pk, npi=BAD_NPI, first_name="Changed")
    assert error.value.code == "bad-npi"
    doctor.refresh_from_db()
    assert doctor.npi == NPI and doctor.first_name != "Changed"


def test_practitioner_update_refuses_a_taken_npi(db, admin, location):
    PractitionerFactory(location=location, npi=OTHER_NPI)
    doctor = PractitionerFactory(location=location, npi=NPI)
    with pytest.raises(Conflict):
        practitioner_update(actor=admin, practitioner_id=doctor.pk, npi=OTHER_NPI)


def test_practitioner_update_refuses_an_upside_down_age_range(db, admin, location):
    doctor = PractitionerFactory(location=location)
    with pytest.raises(ValidationFailed) as error:
        practitioner_update(actor=admin, practitioner_id=doctor.pk, min_patient_age=18, max_patient_age=5)
    assert error.value.code == "bad-age-range"


def test_practitioner_update_refuses_a_bad_colour(db, admin, location):
    doctor = PractitionerFactory(location=location)
    with pytest.raises(ValidationFailed):
        practitioner_update(actor=admin, practitioner_id=doctor.pk, color="blue")


def test_practitioner_update_refuses_no_location(db, admin, location):
    doctor = PractitionerFactory(location=location)
    with pytest.raises(ValidationFailed) as error:
        practitioner_update(actor=admin, practitioner_id=doctor.pk, location_ids=[])
    assert error.value.code == "location-required"
    assert list(doctor.locations.all()) == [location]


def test_practitioner_deactivate_keeps_the_record_and_update_reactivates(db, admin, location):
    doctor = PractitionerFactory(location=location)
    practitioner_deactivate(actor=admin, practitioner_id=doctor.pk)
    assert not Practitioner.objects.get(pk=doctor.pk).active
    practitioner_update(actor=admin, practitioner_id=doctor.pk, active=True)
    assert Practitioner.objects.get(pk=doctor.pk).active


def test_practitioner_deactivate_is_refused_to_the_front_desk_and_other_locations(db, clerk, outsider, location):
    doctor = PractitionerFactory(location=location)
    for actor in (clerk, outsider):
        with pytest.raises(PermissionDenied):
            practitioner_deactivate(actor=actor, practitioner_id=doctor.pk)
    assert Practitioner.objects.get(pk=doctor.pk).active


# --- rooms and equipment --------------------------------------------------------------------------------------

def test_room_update_renames_and_refuses_a_taken_name(db, admin, location):
    RoomFactory(location=location, name="Exam 1")
    room = RoomFactory(location=location, name="Exam 2")
    room_update(actor=admin, room_id=room.pk, name="Exam 3", kind="procedure")
    room.refresh_from_db()
    assert (room.name, room.kind) == ("Exam 3", "procedure")
    with pytest.raises(Conflict):
        room_update(actor=admin, room_id=room.pk, name="exam 1")
    assert Room.objects.get(pk=room.pk).name == "Exam 3"


def test_room_create_refuses_a_duplicate_name(db, admin, location):
    room_create(actor=admin, location_id=location.pk, name="Exam 1")
    with pytest.raises(Conflict):
        room_create(actor=admin, location_id=location.pk, name="Exam 1")
    assert Room.objects.count() == 1


def test_room_deactivate_and_reactivate(db, admin, location):
    room = RoomFactory(location=location)
    room_deactivate(actor=admin, room_id=room.pk)
    assert not Room.objects.get(pk=room.pk).active
    room_update(actor=admin, room_id=room.pk, active=True)
    assert Room.objects.get(pk=room.pk).active
    assert AuditEntry.objects.filter(action="room.deactivate").count() == 1


def test_room_update_is_refused_to_the_front_desk(db, clerk, location):
    room = RoomFactory(location=location, name="Exam 1")
    with pytest.raises(PermissionDenied):
        room_update(actor=clerk, room_id=room.pk, name="Mine")
    assert Room.objects.get(pk=room.pk).name == "Exam 1"


def test_equipment_create_refuses_a_duplicate_name(db, admin, location):
    equipment_create(actor=admin, location_id=location.pk, name="US-1", kind="ultrasound")
    with pytest.raises(Conflict):
        equipment_create(actor=admin, location_id=location.pk, name="US-1", kind="ecg")
    assert Equipment.objects.count() == 1


def test_equipment_update_refuses_an_unknown_kind(db, admin, location):
    item = EquipmentFactory(location=location, kind="ecg")
    with pytest.raises(ValidationFailed):
        equipment_update(actor=admin, equipment_id=item.pk, kind="toaster")
    assert Equipment.objects.get(pk=item.pk).kind == "ecg"


def test_equipment_deactivate_is_audited_and_refused_to_the_front_desk(db, admin, clerk, location):
    item = EquipmentFactory(location=location)
    with pytest.raises(PermissionDenied):
        equipment_deactivate(actor=clerk, equipment_id=item.pk)
    equipment_deactivate(actor=admin, equipment_id=item.pk)
    assert not Equipment.objects.get(pk=item.pk).active
    assert AuditEntry.objects.get(action="equipment.deactivate").detail["changes"] == {"active": [True, False]}
