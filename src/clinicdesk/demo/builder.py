"""A realistic, reproducible demo practice, built from a seed.

Two locations in different time zones, 8 providers, 6 rooms, 30 staff across every role, patients
with varied names, ages, languages, phones and addresses, and weeks of past and future appointments; then, through
their services, a published staff roster per location, a stocked supply room and eligibility checks for the next
day's appointments (`build_back_office`).
Everything derives from `random.Random(seed)`, so the same seed builds the same practice (all but the roster
solver's choices and the eligibility checks' trace numbers).
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils.text import slugify
from django_otp.plugins.otp_totp.models import TOTPDevice
from faker import Faker

from clinicdesk.accounts.models import User
from clinicdesk.accounts.services import user_create
from clinicdesk.audit.services import record
from clinicdesk.billing.demo import coding_demo
from clinicdesk.billing.demo_revenue import revenue_demo
from clinicdesk.comms.demo import correspondence_demo
from clinicdesk.comms.models import Channel, Kind
from clinicdesk.comms.rules import reminder_rule_create
from clinicdesk.compliance.demo import compliance_demo
from clinicdesk.core import clock
from clinicdesk.core.identifiers import npi_complete
from clinicdesk.core.permissions import PRACTICE_WIDE_ROLES, Perm, Role, SystemActor
from clinicdesk.core.timezones import local_to_utc
from clinicdesk.insight.demo import dashboards_demo, insight_models_demo
from clinicdesk.insight.demo_history import Behaviour, history_demo, written_booked_at
from clinicdesk.insurance.demo import care_demo, eligibility_demo, referrals_demo
from clinicdesk.operations.demo import supplies_demo
from clinicdesk.operations.demo_budget import budgets_demo
from clinicdesk.outreach.demo import workshops_demo
from clinicdesk.patients.demo import demo_patient_records
from clinicdesk.patients.keys import fill_search_keys
from clinicdesk.patients.models import Patient, Sex
from clinicdesk.patients.services import mrns_allocate
from clinicdesk.portal.demo import portal_demo
from clinicdesk.practice.models import Location, Practitioner, Room, Specialty
from clinicdesk.practice.services import (
    location_create,
    location_hours_set,
    organization_update,
    practitioner_create,
    room_create,
)
from clinicdesk.scheduling.models import (
    ACTIVE_STATUSES,
    Appointment,
    AppointmentStatus,
    AppointmentType,
    ResourceBooking,
    ResourceKind,
)
from clinicdesk.scheduling.services import appointment_type_create, availability_template_add
from clinicdesk.staffing.demo import staffing_demo, staffing_extras_demo
from clinicdesk.staffing.services import period_of as staffing_period_of

from .frontdesk_day import build_front_desk_day

DEMO_PASSWORD = "clinicdesk-demo"
# The demo builder sets the practice up as a practice and user administrator would, through the services (and
# the rosters, supply room and eligibility checks as the coordinator and the desk would).
DEMO_ACTOR = SystemActor("demo", frozenset({Perm.PRACTICE_ADMIN, Perm.USER_ADMIN, Perm.STAFFING_ADMIN,
                                            Perm.OPERATIONS_ADMIN, Perm.SUPPLIES_USE, Perm.PATIENT_READ,
                                            Perm.INSURANCE_READ, Perm.INSURANCE_WRITE}))
# The roster solver's time per location: the demo build stays quick, and 2 s finds a good 4-week roster.
ROSTER_SECONDS = 2.0
# Who is rostered at a location: the staff who work its desk and rooms.
ROSTERED_ROLES = (Role.FRONT_DESK, Role.PATIENT_COORDINATOR, Role.NURSE)
BATCH = 5000
# Billing's sample of the visits (#19): the latest few coded but not billed yet at each location (beside a sample
# of one billed visit a day, a dozen would be weeks of unbilled charges), and five months of billed visits answered
# in batches of about two weeks. Five months, longer than the payment reports' 90 days: the payments of those days
# include the payers' for the visits before them, as in a practice that has billed for years.
CODED_NOT_BILLED = 4
REVENUE_DAYS, REVENUE_VISITS, REVENUE_BATCHES = 150, 150, 12

LOCATIONS = [
    {"code": "downtown", "name": "Downtown Clinic", "address_line": "120 Main Street", "city": "Springfield",
     "state": "MA", "postal_code": "01103", "phone": "(413) 555-0100", "time_zone": "America/New_York"},
    {"code": "mesa", "name": "Mesa Family Health", "address_line": "4500 E Camelback Rd", "city": "Phoenix",
     "state": "AZ", "postal_code": "85018", "phone": "(602) 555-0140", "time_zone": "America/Phoenix"},
]
APPOINTMENT_TYPES = [
    ("new-patient", "New patient visit", "New patient visit", 40, True, "#2f7ebc"),
    ("follow-up", "Follow-up", "Follow-up visit", 20, False, "#3c9d5d"),
    ("annual", "Annual physical", "Annual check-up", 30, False, "#8a5cc2"),
    ("procedure", "Minor procedure", "Procedure", 60, False, "#c2702f"),
    ("telehealth", "Telehealth", "Video visit", 20, False, "#4a7f8c"),
]
# The practice's Spanish names per type code: (what staff read, what a patient reads).
SPANISH_TYPE_NAMES: dict[str, tuple[str, str]] = {
    "new-patient": ("Consulta de paciente nuevo", "Primera consulta"),
    "follow-up": ("Seguimiento", "Consulta de seguimiento"),
    "annual": ("Examen físico anual", "Chequeo anual"),
    "procedure": ("Procedimiento menor", "Procedimiento"),
    "telehealth": ("Telemedicina", "Videoconsulta"),
}
# Scheduling details per type code: what it needs and what the desk must collect before the visit.
TYPE_DETAILS: dict[str, dict[str, Any]] = {
    "new-patient": {"checklist": ["photo_id", "insurance_card"]},
    "annual": {"checklist": ["insurance_card"]},
    "procedure": {"category": "procedure", "room_kind": Room.Kind.PROCEDURE, "buffer_after_minutes": 10,
                  "checklist": ["prior_auth", "pre_op"]},
    "telehealth": {"telehealth": True},
}
# Every provider works these hours, Monday to Friday, at their main location.
WORK_START, WORK_END = dt.time(8), dt.time(17, 30)
SPECIALTIES = ["Family Medicine", "Internal Medicine", "Pediatrics", "Dermatology", "Orthopedics",
               "Cardiology", "Family Medicine", "Obstetrics and Gynecology"]
STAFF_ROLES = (
    [Role.FRONT_DESK] * 8 + [Role.PATIENT_COORDINATOR] * 4 + [Role.PRACTICE_COORDINATOR] * 2
    + [Role.BILLING] * 4 + [Role.NURSE] * 6 + [Role.PROVIDER] * 2 + [Role.COMPLIANCE] * 2 + [Role.SYSADMIN] * 2
)  # 30 staff; the 8 providers get their own accounts too


@dataclass
class DemoSummary:
    patients: int = 0
    appointments: int = 0
    visits_today: int = 0
    history: int = 0  # of the appointments, those of the history before the builder's weeks (#22)
    history_seconds: float = 0.0
    insight: dict[str, Any] = field(default_factory=dict)  # the no-show model's and the forecast's figures
    staff: list[tuple[str, str]] = field(default_factory=list)  # (username, role)
    totp_secrets: dict[str, str] = field(default_factory=dict)


def _name_pools(fake_en: Faker, fake_es: Faker) -> dict[str, list[str]]:
    """Pre-drawn pools make 100,000 patients fast; combinations keep them varied."""
    return {
        "family_en": [fake_en.last_name() for _ in range(1500)],
        "family_es": [fake_es.last_name() for _ in range(600)],
        "female_en": [fake_en.first_name_female() for _ in range(600)],
        "male_en": [fake_en.first_name_male() for _ in range(600)],
        "female_es": [fake_es.first_name_female() for _ in range(300)],
        "male_es": [fake_es.first_name_male() for _ in range(300)],
        "street": [fake_en.street_name() for _ in range(800)],
    }


CITIES = {
    "downtown": [("Springfield", "MA", "011"), ("Chicopee", "MA", "010"), ("Holyoke", "MA", "010"),
                 ("Westfield", "MA", "010"), ("Hartford", "CT", "061")],
    "mesa": [("Phoenix", "AZ", "850"), ("Mesa", "AZ", "852"), ("Tempe", "AZ", "852"),
             ("Scottsdale", "AZ", "852"), ("Chandler", "AZ", "852")],
}


class DemoBuilder:
    def __init__(self, *, seed: int, progress: Callable[[str, int, int], None] | None = None) -> None:
        self.rng = random.Random(seed)
        self.seed = seed
        self.fake_en = Faker("en_US")
        self.fake_es = Faker("es_MX")
        self.fake_en.seed_instance(seed)
        self.fake_es.seed_instance(seed + 1)
        self.progress = progress or (lambda stage, done, total: None)
        self.summary = DemoSummary()

    # --- practice -------------------------------------------------------------------------------
    def build_practice(self) -> tuple[list[Location], list[Practitioner], list[Room], list[AppointmentType]]:
        """The practice's set-up, through the same services as the set-up screens, API and imports (so the demo
        cannot hold what a practice could not enter). Patients and appointments below are bulk-inserted: at
        100,000 patients the services' one-by-one path would take hours."""
        actor = DEMO_ACTOR
        organization_update(actor=actor, name="Riverside Medical Group", phone="(413) 555-0100",
                            npi=npi_complete("154321987"))
        locations = [location_create(actor=actor, **spec) for spec in LOCATIONS]
        for loc in locations:
            week = [(day, dt.time(8), dt.time(17)) for day in range(5)]
            if loc is locations[0]:
                week.append((5, dt.time(9), dt.time(12)))
            location_hours_set(actor=actor, location_id=loc.pk, hours=week)
        rooms = [room_create(actor=actor, location_id=locations[i // 3].pk, name=f"Room {i % 3 + 1}",
                             kind=Room.Kind.PROCEDURE if i % 3 == 2 else Room.Kind.EXAM)
                 for i in range(6)]
        types = [appointment_type_create(actor=actor, code=c, name=n, patient_facing_name=p,
                                         name_es=SPANISH_TYPE_NAMES[c][0],
                                         patient_facing_name_es=SPANISH_TYPE_NAMES[c][1], duration_minutes=d,
                                         new_patient=new, color=color, **TYPE_DETAILS.get(c, {}))
                 for c, n, p, d, new, color in APPOINTMENT_TYPES]
        specialties = {name: slugify(name) for name in SPECIALTIES}
        Specialty.objects.bulk_create([Specialty(code=code, name=name) for name, code in specialties.items()],
                                      ignore_conflicts=True)  # reference data: the practice's specialty list
        practitioners = []
        for index in range(8):
            female = self.rng.random() < 0.55
            first = self.fake_en.first_name_female() if female else self.fake_en.first_name_male()
            last = self.fake_en.last_name()
            user = self._staff_user(first, last, Role.PROVIDER, [locations[index % 2]])
            practitioner = practitioner_create(
                actor=actor, first_name=first, last_name=last, credentials=self.rng.choice(["MD", "DO", "NP", "PA"]),
                npi=npi_complete(f"1{self.rng.randrange(10**7, 10**8)}"),
                specialty_codes=[specialties[SPECIALTIES[index]]], color=APPOINTMENT_TYPES[index % 5][5],
                location_ids=[locations[index % 2].pk] + ([locations[1].pk] if index == 0 else []),
                user_id=user.pk,
                **({"min_patient_age": 0, "max_patient_age": 17} if SPECIALTIES[index] == "Pediatrics" else {}),
            )
            practitioners.append(practitioner)
        effective = clock.now().date() - dt.timedelta(days=365)
        for index, practitioner in enumerate(practitioners):
            for day in range(5):
                availability_template_add(actor=actor, practitioner_id=practitioner.pk,
                                          location_id=locations[index % 2].pk, weekday=day, start_time=WORK_START,
                                          end_time=WORK_END, effective_from=effective)
        return locations, practitioners, rooms, types

    def build_staff(self, locations: list[Location]) -> None:
        per_role: dict[Role, int] = {}
        for index, role in enumerate(STAFF_ROLES):
            per_role[role] = per_role.get(role, 0) + 1
            first, last = self.fake_en.first_name(), self.fake_en.last_name()
            where = locations if role in PRACTICE_WIDE_ROLES else [locations[index % 2]]
            self._staff_user(first, last, role, where, username=f"{role.value.replace('_', '')}{per_role[role]}")

    _password_hash: str | None = None

    def _staff_user(self, first: str, last: str, role: Role, locations: list[Location],
                    username: str | None = None) -> User:
        if self._password_hash is None:
            self._password_hash = make_password(DEMO_PASSWORD)
        username = username or f"dr{last.lower()}{len(self.summary.staff) + 1}"
        user = user_create(actor=DEMO_ACTOR, username=username, first_name=first, last_name=last, role=role,
                           email=f"{username}@riverside.example", locations=[loc.pk for loc in locations],
                           language="es" if self.rng.random() < 0.15 else "en")
        # One shared demo password, hashed once: hashing it per account would add seconds to every demo build.
        User.objects.filter(pk=user.pk).update(password=self._password_hash)
        self.summary.staff.append((username, role.value))
        if role.value in {"compliance", "sysadmin"}:
            key = f"{self.rng.getrandbits(160):040x}"
            TOTPDevice.objects.create(user=user, name="Demo authenticator", key=key, confirmed=True)
            self.summary.totp_secrets[username] = key
        return user

    # --- patients -------------------------------------------------------------------------------
    def _patients(self, count: int, locations: list[Location]) -> Iterator[Patient]:
        pools = _name_pools(self.fake_en, self.fake_es)
        rng = self.rng
        today = clock.now().date()
        mrns = mrns_allocate(count)
        for index in range(count):
            spanish = rng.random() < 0.22
            female = rng.random() < 0.52
            family_pool = pools["family_es"] if spanish or rng.random() < 0.08 else pools["family_en"]
            given_pool = pools[f"{'female' if female else 'male'}_{'es' if spanish else 'en'}"]
            location = locations[0] if rng.random() < 0.6 else locations[1]
            city, state, zip3 = rng.choice(CITIES[location.code])
            age_days = int(rng.triangular(0, 95 * 365.25, 45 * 365.25))
            family = rng.choice(family_pool)
            if spanish and rng.random() < 0.4:
                family = f"{family} {rng.choice(pools['family_es'])}"
            patient = Patient(
                mrn=mrns[index], family_name=family, given_name=rng.choice(given_pool),
                middle_name=rng.choice(given_pool)[0] if rng.random() < 0.3 else "",
                birth_date=today - dt.timedelta(days=age_days),
                sex=Sex.FEMALE if female else Sex.MALE,
                phone=f"({rng.randrange(201, 990)}) {rng.randrange(200, 999)}-{rng.randrange(0, 10000):04d}",
                email="" if rng.random() < 0.25 else f"patient{mrns[index]}@mail.example",
                preferred_language="es" if spanish and rng.random() < 0.7 else "en",
                address_line=f"{rng.randrange(1, 9999)} {rng.choice(pools['street'])}",
                city=city, state=state, postal_code=f"{zip3}{rng.randrange(0, 100):02d}",
                home_location=location, restricted=rng.random() < 0.005,
            )
            if rng.random() < 0.7:  # most patients agree to texts and e-mail at registration
                patient.sms_opt_in, patient.sms_opt_in_date, patient.sms_opt_in_source = True, today, "verbal"
                if patient.email:
                    patient.email_opt_in, patient.email_opt_in_date, patient.email_opt_in_source = True, today, "verbal"
            yield fill_search_keys(patient)

    def build_patients(self, count: int, locations: list[Location]) -> list[tuple[int, int]]:
        """Insert in batches; returns (patient id, home location id) for scheduling."""
        batch: list[Patient] = []
        done = 0
        for patient in self._patients(count, locations):
            batch.append(patient)
            if len(batch) >= BATCH:
                done += self._flush(batch)
                self.progress("patients", done, count)
        done += self._flush(batch)
        self.progress("patients", done, count)
        self.summary.patients = done
        return list(Patient.objects.order_by("pk").values_list("pk", "home_location_id"))

    @staticmethod
    def _flush(batch: list[Patient]) -> int:
        Patient.objects.bulk_create(batch, batch_size=1000)
        size = len(batch)
        batch.clear()
        return size

    # --- appointments ---------------------------------------------------------------------------
    def build_appointments(self, weeks: int, practitioners: list[Practitioner], rooms: list[Room],
                           types: list[AppointmentType], patients: list[tuple[int, int]]) -> None:
        if not patients or weeks <= 0:
            return
        rng = self.rng
        by_location: dict[int, list[int]] = {}
        for patient_id, location_id in patients:
            by_location.setdefault(location_id, []).append(patient_id)
        now = clock.now()
        first_monday = self.first_day(weeks)
        behaviour = Behaviour.of_practice(seed=self.seed)
        days = [first_monday + dt.timedelta(days=i) for i in range(weeks * 7) if (first_monday
                + dt.timedelta(days=i)).weekday() < 5]
        batch: list[Appointment] = []
        for day_index, day in enumerate(days):
            # What is taken this day, so that rooms and patients are never double-booked (the database
            # refuses overlapping resource bookings on PostgreSQL).
            room_busy: dict[int, list[tuple[dt.datetime, dt.datetime]]] = {}
            patient_busy: dict[int, list[tuple[dt.datetime, dt.datetime]]] = {}
            for practitioner in practitioners:
                location = practitioner.locations.all()[0]
                pool = by_location.get(location.pk) or [p for p, _ in patients]
                room_choices = [r for r in rooms if r.location_id == location.pk]
                minute = 8 * 60
                while minute < 16 * 60 + 30:
                    kind = rng.choices(types, weights=[2, 6, 2, 1, 1])[0]
                    if rng.random() < 0.18:  # a gap in the day
                        minute += 20
                        continue
                    start = local_to_utc(day, dt.time(minute // 60, minute % 60), location.tz)
                    end = start + dt.timedelta(minutes=kind.duration_minutes)
                    occupied = (start, end + dt.timedelta(minutes=kind.buffer_after_minutes))
                    room = self._free_room(room_choices, kind, occupied, room_busy)
                    chosen = self._free_patient(pool, (start, end), patient_busy)
                    if (kind.room_kind and room is None) or chosen is None:
                        minute += 20  # nothing fits here: leave a gap
                        continue
                    # When it was booked, confirmed, cancelled or missed: as in the history before (#22).
                    made = behaviour.booking(patient_id=chosen, kind=kind, start=start, tz=location.tz, now=now)
                    status = made.status
                    active = status in ACTIVE_STATUSES
                    if active:
                        if room is not None:
                            room_busy.setdefault(room.pk, []).append(occupied)
                        patient_busy.setdefault(chosen, []).append((start, end))
                    batch.append(Appointment(
                        patient_id=chosen, practitioner=practitioner, location=location,
                        room=room, appointment_type=kind, start=start, end=end, status=status,
                        telehealth=kind.telehealth, created_at=made.created_at, confirmed_at=made.confirmed_at,
                        confirmed_via=made.confirmed_via, late_cancel=made.late_cancel,
                        cancel_reason="Patient request" if status == AppointmentStatus.CANCELLED else "",
                    ))
                    minute += kind.duration_minutes + kind.buffer_after_minutes
            if len(batch) >= BATCH or day_index == len(days) - 1:
                self._flush_appointments(batch)
                self.summary.appointments += len(batch)
                batch.clear()
                self.progress("appointments", day_index + 1, len(days))

    @staticmethod
    def first_day(weeks: int) -> dt.date:
        """The Monday the builder's own weeks start on (half of them past); the history ends the day before."""
        today = clock.now().date()
        return today - dt.timedelta(days=today.weekday()) - dt.timedelta(weeks=weeks // 2)

    @staticmethod
    def _overlaps(spans: list[tuple[dt.datetime, dt.datetime]], span: tuple[dt.datetime, dt.datetime]) -> bool:
        return any(start < span[1] and span[0] < end for start, end in spans)

    def _free_room(self, choices: list[Room], kind: AppointmentType, occupied: tuple[dt.datetime, dt.datetime],
                   busy: dict[int, list[tuple[dt.datetime, dt.datetime]]]) -> Room | None:
        if kind.telehealth:
            return None
        fitting = [r for r in choices if (not kind.room_kind or r.kind == kind.room_kind)
                   and not self._overlaps(busy.get(r.pk, []), occupied)]
        return self.rng.choice(fitting) if fitting else None

    def _free_patient(self, pool: list[int], span: tuple[dt.datetime, dt.datetime],
                      busy: dict[int, list[tuple[dt.datetime, dt.datetime]]]) -> int | None:
        for _attempt in range(5):
            candidate = self.rng.choice(pool)
            if not self._overlaps(busy.get(candidate, []), span):
                return candidate
        return None

    @staticmethod
    def _flush_appointments(batch: list[Appointment]) -> None:
        """Insert appointments (with the booked-at time set above) and the resource bookings the active ones hold."""
        with written_booked_at():
            Appointment.objects.bulk_create(batch, batch_size=1000)
        bookings: list[ResourceBooking] = []
        for a in batch:
            if a.status not in ACTIVE_STATUSES:
                continue
            kind = a.appointment_type
            occupied = (a.start - kind.buffer_before, a.end + kind.buffer_after)
            bookings.append(ResourceBooking(appointment_id=a.pk, resource_kind=ResourceKind.PRACTITIONER,
                                            resource_id=a.practitioner_id, start=occupied[0], end=occupied[1]))
            bookings.append(ResourceBooking(appointment_id=a.pk, resource_kind=ResourceKind.PATIENT,
                                            resource_id=a.patient_id, start=a.start, end=a.end))
            if a.room_id is not None:
                bookings.append(ResourceBooking(appointment_id=a.pk, resource_kind=ResourceKind.ROOM,
                                                resource_id=a.room_id, start=occupied[0], end=occupied[1]))
        ResourceBooking.objects.bulk_create(bookings, batch_size=2000)

    @staticmethod
    def build_reminder_rules() -> None:
        """What a typical practice sends: a confirmation at booking, e-mail 3 days and a text 1 day before."""
        for kind, channel, minutes in ((Kind.CONFIRMATION, Channel.EMAIL, 0), (Kind.REMINDER, Channel.EMAIL, 72 * 60),
                                       (Kind.REMINDER, Channel.SMS, 24 * 60)):
            reminder_rule_create(actor=DEMO_ACTOR, kind=kind, channel=channel, minutes_before=minutes)

    # --- all ------------------------------------------------------------------------------------
    def build(self, *, patients: int, weeks: int, history_years: float = 0) -> DemoSummary:
        """`history_years` of past appointments before the `weeks` (only with weeks): the dashboards', forecast's
        and no-show model's history (#22); `clinicdesk demo` builds two years."""
        with transaction.atomic():
            locations, practitioners, rooms, types = self.build_practice()
            self.build_staff(locations)
        # One transaction per stage: bulk inserts are fastest that way, and a failed stage leaves nothing.
        with transaction.atomic():
            patient_rows = self.build_patients(patients, locations)
            demo_patient_records(seed=self.seed)
            self.build_reminder_rules()
        with transaction.atomic():
            practitioners = list(Practitioner.objects.prefetch_related("locations").order_by("pk"))
            if weeks > 0 and patient_rows:
                started = time.perf_counter()
                self.summary.history = history_demo(seed=self.seed, years=history_years, until=self.first_day(weeks))
                self.summary.appointments += self.summary.history
                self.summary.history_seconds = round(time.perf_counter() - started, 1)
            self.build_appointments(weeks, practitioners, rooms, types, patient_rows)
            record(None, "demo.generate", resource_type="practice",
                   detail={"seed": self.seed, "patients": self.summary.patients,
                           "appointments": self.summary.appointments})
        if weeks:
            with transaction.atomic():
                self.summary.visits_today = build_front_desk_day(seed=self.seed)
        self.build_back_office(locations, types, eligibility=bool(weeks))
        if self.summary.history:  # the screens show the risk and the forecast right away (#22)
            self.summary.insight = insight_models_demo()
        return self.summary

    @staticmethod
    def build_back_office(locations: list[Location], types: list[AppointmentType], *, eligibility: bool) -> None:
        """The newer apps, through their services: a published roster for this 4-week period at each location,
        the supply room (its own transaction: see operations.demo), and eligibility results for the next
        appointments."""
        with transaction.atomic():
            for location in locations:
                users = list(User.objects.filter(locations=location, role__in=ROSTERED_ROLES).order_by("pk"))
                team = staffing_demo(actor=DEMO_ACTOR, location_id=location.pk, users=users,
                                     period_start=staffing_period_of(clock.now().date()), seconds=ROSTER_SECONDS)
                staffing_extras_demo(actor=DEMO_ACTOR, setup=team, today=clock.now().date())  # swaps, trainings
        annual = next((t for t in types if t.code == "annual"), None)
        supplies_demo(actor=DEMO_ACTOR, location_ids=[loc.pk for loc in locations],
                      appointment_type_id=annual.pk if annual else None)
        budgets_demo(actor=DEMO_ACTOR, location_ids=[loc.pk for loc in locations])  # after rosters and supplies
        compliance_demo(location_ids=[loc.pk for loc in locations])
        correspondence_demo(location_ids=[loc.pk for loc in locations])  # letters, incoming mail (#24)
        workshops_demo(location_ids=[loc.pk for loc in locations])  # two upcoming workshops (#24)
        # The billed visits, each with its co-pay taken at the desk as the patient left: a few coded, not billed
        # yet, and claims in every state with the payers' 999/277CA/835 answers posted (#19 item 12).
        coding_demo(per_location=CODED_NOT_BILLED)
        revenue_demo(days=REVENUE_DAYS, visits=REVENUE_VISITS, chunks=REVENUE_BATCHES)
        portal_demo()  # follow-ups and new-patient visits bookable in the patient portal (#23)
        if eligibility:
            eligibility_demo(actor=DEMO_ACTOR)
            referrals_demo(actor=DEMO_ACTOR)
            care_demo(actor=DEMO_ACTOR)  # readiness packets, facilities, transfers (#18 items 8, 9)
        dashboards_demo()  # last: every appointment above is counted into the dashboards (#22)
