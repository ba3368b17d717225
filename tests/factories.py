"""Factories for tests: the same models the services write, with sensible defaults."""

from __future__ import annotations

import datetime as dt
import itertools

import factory
from django.conf import settings
from django.contrib.auth.hashers import make_password

from clinicdesk.accounts.models import User
from clinicdesk.core.identifiers import mrn_from_sequence, npi_complete
from clinicdesk.core.permissions import Role
from clinicdesk.patients.keys import SEARCH_KEY_FIELDS, fill_search_keys
from clinicdesk.patients.models import Patient
from clinicdesk.practice.models import Equipment, Location, Organization, Practitioner, Room, Specialty
from clinicdesk.scheduling.models import (
    ACTIVE_STATUSES,
    Appointment,
    AppointmentType,
    AvailabilityException,
    AvailabilityTemplate,
    LocationHoliday,
    ResourceBooking,
    ResourceKind,
)

PASSWORD = "correct-horse-battery"
# One hash per hasher: a test that overrides PASSWORD_HASHERS (a fast one for a big fixture) must not leave a
# hash behind that the default hashers cannot check.
_PASSWORD_HASHES: dict[str, str] = {}
_mrn = itertools.count(500000)


def password_hash() -> str:
    hasher = settings.PASSWORD_HASHERS[0]
    if hasher not in _PASSWORD_HASHES:
        _PASSWORD_HASHES[hasher] = make_password(PASSWORD)
    return _PASSWORD_HASHES[hasher]


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization
        django_get_or_create = ("name",)

    name = "Test Medical Group"


class LocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Location

    organization = factory.SubFactory(OrganizationFactory)
    code = factory.Sequence(lambda n: f"loc{n}")
    name = factory.Sequence(lambda n: f"Clinic {n}")
    address_line = "1 Main St"
    city = "Springfield"
    state = "MA"
    postal_code = "01103"
    phone = "(413) 555-0100"
    time_zone = "America/New_York"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Test"
    last_name = factory.Sequence(lambda n: f"Person{n}")
    role = Role.FRONT_DESK
    password = factory.LazyFunction(password_hash)

    @factory.post_generation
    def location(self, create, extracted, **kwargs):  # type: ignore[no-untyped-def]
        if create and extracted is not None:
            self.locations.add(extracted)


class PatientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Patient
        skip_postgeneration_save = True

    mrn = factory.LazyFunction(lambda: mrn_from_sequence(next(_mrn)))
    family_name = "Garcia"
    given_name = factory.Sequence(lambda n: f"Ana{n}")
    birth_date = dt.date(1980, 5, 17)
    sex = "female"
    phone = "(413) 555-0199"
    home_location = factory.SubFactory(LocationFactory)

    @factory.post_generation
    def keys(self, create, extracted, **kwargs):  # type: ignore[no-untyped-def]
        fill_search_keys(self)
        if create:
            Patient.objects.filter(pk=self.pk).update(**{name: getattr(self, name) for name in SEARCH_KEY_FIELDS})


class PractitionerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Practitioner
        skip_postgeneration_save = True

    first_name = "Grace"
    last_name = factory.Sequence(lambda n: f"Doctor{n}")
    credentials = "MD"
    npi = factory.Sequence(lambda n: npi_complete(f"1{n:08d}"))

    @factory.post_generation
    def location(self, create, extracted, **kwargs):  # type: ignore[no-untyped-def]
        if create and extracted is not None:
            self.locations.add(extracted)


class RoomFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Room

    location = factory.SubFactory(LocationFactory)
    name = factory.Sequence(lambda n: f"Room {n}")


class AppointmentTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AppointmentType
        django_get_or_create = ("code",)

    code = "follow-up"
    name = "Follow-up"
    patient_facing_name = "Follow-up visit"
    duration_minutes = 20


class AppointmentFactory(factory.django.DjangoModelFactory):
    """An appointment written straight to the database (no availability check), with the resource
    bookings an active appointment holds, so that services see it as taken. `bookings=False` skips them."""

    location = factory.SubFactory(LocationFactory)
    patient = factory.SubFactory(PatientFactory, home_location=factory.SelfAttribute("..location"))
    practitioner = factory.SubFactory(PractitionerFactory)
    appointment_type = factory.SubFactory(AppointmentTypeFactory)
    start = factory.LazyFunction(lambda: dt.datetime(2026, 11, 24, 14, 0, tzinfo=dt.UTC))
    end = factory.LazyAttribute(lambda o: o.start + dt.timedelta(minutes=o.appointment_type.duration_minutes))

    class Meta:
        model = Appointment
        skip_postgeneration_save = True

    @factory.post_generation
    def practitioner_works_there(self, create, extracted, **kwargs):  # type: ignore[no-untyped-def]
        if create:
            self.practitioner.locations.add(self.location)

    @factory.post_generation
    def bookings(self, create, extracted, **kwargs):  # type: ignore[no-untyped-def]
        if not create or extracted is False or self.status not in ACTIVE_STATUSES:
            return
        kind = self.appointment_type
        occupied = (self.start - kind.buffer_before, self.end + kind.buffer_after)
        rows = [ResourceBooking(appointment=self, resource_kind=ResourceKind.PRACTITIONER,
                                resource_id=self.practitioner_id, start=occupied[0], end=occupied[1]),
                ResourceBooking(appointment=self, resource_kind=ResourceKind.PATIENT, resource_id=self.patient_id,
                                start=self.start, end=self.end)]
        if self.room_id:
            rows.append(ResourceBooking(appointment=self, resource_kind=ResourceKind.ROOM, resource_id=self.room_id,
                                        start=occupied[0], end=occupied[1]))
        ResourceBooking.objects.bulk_create(rows)


class SpecialtyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Specialty
        django_get_or_create = ("code",)

    code = "family-medicine"
    name = "Family Medicine"


class EquipmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Equipment

    location = factory.SubFactory(LocationFactory)
    name = factory.Sequence(lambda n: f"Device {n}")
    kind = Equipment.Kind.ULTRASOUND


class AvailabilityTemplateFactory(factory.django.DjangoModelFactory):
    """Weekly availability; defaults to Monday to Friday would need five rows, so one weekday per row."""

    class Meta:
        model = AvailabilityTemplate

    practitioner = factory.SubFactory(PractitionerFactory)
    location = factory.SubFactory(LocationFactory)
    weekday = 0
    start_time = dt.time(8)
    end_time = dt.time(17)
    effective_from = dt.date(2026, 1, 1)


class AvailabilityExceptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AvailabilityException

    practitioner = factory.SubFactory(PractitionerFactory)
    kind = AvailabilityException.Kind.VACATION
    start = factory.LazyFunction(lambda: dt.datetime(2026, 11, 24, 13, 0, tzinfo=dt.UTC))
    end = factory.LazyAttribute(lambda o: o.start + dt.timedelta(hours=4))


class LocationHolidayFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LocationHoliday

    location = factory.SubFactory(LocationFactory)
    day = dt.date(2026, 11, 26)
    name = "Thanksgiving"


def weekly_availability(practitioner, location, *, start=dt.time(8), end=dt.time(17), weekdays=range(7),
                        effective_from=dt.date(2026, 1, 1)):
    """The practitioner works `start`-`end` at `location` on the given weekdays (every day by default)."""
    practitioner.locations.add(location)
    return [AvailabilityTemplateFactory(practitioner=practitioner, location=location, weekday=day, start_time=start,
                                        end_time=end, effective_from=effective_from) for day in weekdays]
