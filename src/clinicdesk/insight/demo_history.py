"""The demo practice's past (#22 item 6): about two years of appointments before the builder's own weeks, so the
dashboards, the demand forecast and the no-show model have something true to show.

What the history holds, and why:
- volume: each provider's day is a run of slots filled with a seasonal probability: a winter respiratory peak
  (late January), a back-to-school bump of physicals in late July and August (pediatrics most), fewer visits
  between Christmas and New Year, a slow summer, and a little growth year on year. The practice is closed on the
  US federal and state holidays (the `holidays` package, as the forecast reads them), and on weekends;
- requests: `created_at` (when the appointment was booked) lies a type-dependent lead time before the start,
  on a working day during office hours, so the forecast's request series and the model's lead time are real;
- no-shows: drawn from a logistic model of what the no-show features can see and one thing they cannot — a
  per-patient reliability, so a patient's earlier no-shows predict the next one. A longer lead time, a young
  adult, Monday or Friday, the first or last hour, a new patient raise the risk; a reminder the patient confirmed
  (`confirmed_at`, before the start) lowers it a lot; telehealth a little;
- cancellations (some late, within 24 h) and confirmations, whose chance depends on the same reliability and on
  whether the patient can be reached (texts or e-mail allowed).
All rows are past (fulfilled, no-show or cancelled) and hold no resource bookings: those guard the times still to
be booked, which the history never reaches, and writing them would double its cost. Everything derives from
the seed. `Behaviour` is also what the demo builder uses for its own weeks, so the later weeks the model is
tested on follow the same patterns.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import math
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from clinicdesk.core import clock
from clinicdesk.patients.models import Patient
from clinicdesk.practice.models import Location, Practitioner
from clinicdesk.scheduling.models import Appointment, AppointmentStatus, AppointmentType

BATCH = 5000
DAY_START, DAY_END = 8 * 60, 16 * 60 + 30  # the first and last slot start, minutes past midnight
BASE_FILL = 0.74  # share of a provider's slots taken on an average day of the year
# Lead time in days per type: (share booked within two days, mean of the rest).
LEAD = {"new-patient": (0.10, 18.0), "follow-up": (0.35, 16.0), "annual": (0.05, 32.0), "procedure": (0.05, 14.0),
        "telehealth": (0.65, 4.0)}
TYPE_WEIGHTS = {"new-patient": 2.0, "follow-up": 6.0, "annual": 2.0, "procedure": 1.0, "telehealth": 1.0}
# The no-show model the history is drawn from (log-odds).
NOSHOW_BASE = -3.55
NOSHOW_LEAD = 0.45  # per log(1 + lead days): 0 days +0, 7 days +0.94, 30 days +1.55
NOSHOW_CONFIRMED = -1.4
NOSHOW_AGE = ((18, -0.2), (30, 0.55), (45, 0.2), (65, 0.0), (200, -0.35))  # (up to this age, effect)
NOSHOW_WEEKDAY = {0: 0.15, 4: 0.2}
NOSHOW_NEW = 0.3
NOSHOW_TELEHEALTH = -0.3
RELIABILITY_SD = 0.9  # the per-patient effect: earlier no-shows say the most about it
FAR_AREAS = {"061", "010"}  # farther from the clinic: a little more often missed


def _logistic(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


@dataclass(frozen=True)
class Trait:
    reliability: float  # log-odds added to the no-show risk (higher: misses more)
    reachable: bool  # texts or e-mail allowed: reminders reach them
    birth: dt.date | None
    far: bool


@dataclass(frozen=True)
class Booking:
    created_at: dt.datetime
    status: str
    confirmed_at: dt.datetime | None
    confirmed_via: str
    late_cancel: bool


def _age(birth: dt.date | None, on: dt.date) -> int:
    if birth is None:
        return 45
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def noshow_log_odds(*, lead_days: float, confirmed: bool, trait: Trait, on: dt.date, minute: int, new: bool,
                    telehealth: bool) -> float:
    age = _age(trait.birth, on)
    x = NOSHOW_BASE + NOSHOW_LEAD * math.log1p(max(lead_days, 0.0)) + trait.reliability
    x += next(effect for limit, effect in NOSHOW_AGE if age < limit)
    x += NOSHOW_CONFIRMED if confirmed else 0.0
    x += NOSHOW_WEEKDAY.get(on.weekday(), 0.0)
    x += 0.2 if minute < 9 * 60 or minute >= 15 * 60 + 30 else 0.0
    x += NOSHOW_NEW if new else 0.0
    x += NOSHOW_TELEHEALTH if telehealth else 0.0
    x += 0.25 if trait.far else 0.0
    return x


class Behaviour:
    """How the demo's patients book, confirm, cancel and miss appointments (one seeded generator)."""

    def __init__(self, *, seed: int, patients: Sequence[tuple[int, dt.date | None, bool, str]]) -> None:
        """`patients`: (id, birth date, reachable by text or e-mail, postal code)."""
        self.rng = random.Random(seed * 7919 + 22)
        self.traits = {pk: Trait(self.rng.gauss(0.0, RELIABILITY_SD), reachable, birth, postal[:3] in FAR_AREAS)
                       for pk, birth, reachable, postal in patients}

    @classmethod
    def of_practice(cls, *, seed: int) -> Behaviour:
        rows = Patient.objects.order_by("pk").values_list("pk", "birth_date", "sms_opt_in", "email_opt_in",
                                                          "postal_code")
        return cls(seed=seed, patients=[(pk, birth, sms or email, postal or "")
                                        for pk, birth, sms, email, postal in rows])

    def lead_days(self, code: str) -> float:
        soon, mean = LEAD.get(code, (0.2, 14.0))
        if self.rng.random() < soon:
            return self.rng.uniform(0.0, 2.0)
        return min(2.0 + self.rng.expovariate(1.0 / mean), 120.0)

    def _created(self, start: dt.datetime, lead: float, tz: ZoneInfo) -> dt.datetime:
        """A working day `lead` days before the start (weekend requests mostly move to the Friday), office hours."""
        rng = self.rng
        local_start = start.astimezone(tz)
        if lead < 1.0:  # the same day: an hour or a few before the slot
            return start - dt.timedelta(minutes=rng.uniform(30, min(240, max(local_start.hour * 60 - 420, 45))))
        day = local_start.date() - dt.timedelta(days=int(lead))
        if day.weekday() >= 5 and rng.random() < 0.85:
            day -= dt.timedelta(days=day.weekday() - 4)
        moment = dt.datetime.combine(day, dt.time(8), tzinfo=tz) + dt.timedelta(minutes=rng.uniform(0, 9 * 60))
        return min(moment.astimezone(dt.UTC), start - dt.timedelta(minutes=30))

    def booking(self, *, patient_id: int, kind: AppointmentType, start: dt.datetime, tz: ZoneInfo,
                now: dt.datetime) -> Booking:
        """When it was booked, whether it was confirmed, and what became of it (if it is past)."""
        rng = self.rng
        trait = self.traits.get(patient_id) or Trait(0.0, False, None, False)
        lead = self.lead_days(kind.code)
        created = self._created(start, lead, tz)
        if created > now:  # a future appointment booked "ahead of now": booked within the last two weeks
            created = now - dt.timedelta(minutes=rng.uniform(10, 14 * 24 * 60))
            created = min(created, start - dt.timedelta(minutes=30))
        lead_days = (start - created).total_seconds() / 86_400
        confirmed_at, via = None, ""
        if lead_days >= 1.0:
            chance = _logistic(0.8 - 0.8 * trait.reliability) if trait.reachable else 0.2
            answer = start - dt.timedelta(hours=rng.uniform(2, min(72, lead_days * 24 - 1)))
            if rng.random() < chance and answer <= now:
                confirmed_at, via = max(answer, created), ("sms" if trait.reachable and rng.random() < 0.7 else
                                                           "link" if trait.reachable else "phone")
        if start >= now:
            status = AppointmentStatus.CANCELLED if rng.random() < 0.05 else AppointmentStatus.BOOKED
            return Booking(created, status, confirmed_at, via, False)
        local = start.astimezone(tz)
        if rng.random() < 0.04 + 0.06 * min(lead_days, 60.0) / 60.0:
            late = rng.random() < 0.3
            return Booking(created, AppointmentStatus.CANCELLED, None, "", late)
        odds = noshow_log_odds(lead_days=lead_days, confirmed=confirmed_at is not None, trait=trait,
                               on=local.date(), minute=local.hour * 60 + local.minute, new=kind.new_patient,
                               telehealth=kind.telehealth)
        status = AppointmentStatus.NOSHOW if rng.random() < _logistic(odds) else AppointmentStatus.FULFILLED
        return Booking(created, status, confirmed_at, via, False)


@contextlib.contextmanager
def written_booked_at() -> Iterator[None]:
    """Inside it, bulk inserts keep the `created_at` the demo sets (when the appointment was booked) instead of
    the insert time (`auto_now_add`). The demo only: one process, one thread, restored on the way out."""
    field = Appointment._meta.get_field("created_at")
    saved = field.auto_now_add  # type: ignore[attr-defined]
    field.auto_now_add = False  # type: ignore[attr-defined]
    try:
        yield
    finally:
        field.auto_now_add = saved  # type: ignore[attr-defined]


def closed_days(location: Location, first: dt.date, last: dt.date) -> set[dt.date]:
    import holidays

    years = range(first.year, last.year + 1)
    try:
        calendar = holidays.country_holidays("US", subdiv=location.state or None, years=years)
    except NotImplementedError:
        calendar = holidays.country_holidays("US", years=years)
    return {day for day in calendar if first <= day <= last}


def _season(day: dt.date) -> tuple[float, float, float]:
    """(fill factor, winter strength 0..1, back-to-school strength 0..1) of a day of the year."""
    doy = day.timetuple().tm_yday
    winter = max(0.0, math.cos(2 * math.pi * (doy - 25) / 365.25))
    school = math.exp(-(((doy - 215) / 16.0) ** 2))  # peaks around 3 August
    fill = 1.0 + 0.16 * math.cos(2 * math.pi * (doy - 25) / 365.25) + 0.12 * school
    if (day.month == 12 and day.day >= 22) or (day.month == 1 and day.day <= 2):
        fill *= 0.55  # between Christmas and New Year
    if day.month == 11 and day.weekday() == 4 and 23 <= day.day <= 29:
        fill *= 0.6  # the Friday after Thanksgiving
    return fill, winter, school


def _type_weights(types: Sequence[AppointmentType], winter: float, school: float, pediatric: bool) -> list[float]:
    weights = []
    for kind in types:
        w = TYPE_WEIGHTS.get(kind.code, 1.0)
        if kind.code in {"follow-up", "telehealth"}:
            w *= 1.0 + 0.8 * winter  # respiratory season: sick visits
        elif kind.code == "annual":
            w *= (1.0 + (5.0 if pediatric else 1.5) * school) * (1.0 - 0.3 * winter)
        weights.append(w)
    return weights


def _pools(patients: Sequence[tuple[int, int | None, dt.date | None]], first: dt.date, rng: random.Random
           ) -> dict[tuple[int | None, bool], tuple[list[int], list[float]]]:
    """Per (home location, children only): the patients and cumulative weights (a few come often, most rarely).
    Patients born after the history starts are left out."""
    today = clock.now().date()
    raw: dict[tuple[int | None, bool], list[tuple[int, float]]] = {}
    for pk, location_id, birth in patients:
        if birth is not None and birth > first:
            continue
        weight = rng.gammavariate(0.8, 1.0)
        raw.setdefault((location_id, False), []).append((pk, weight))
        if birth is not None and _age(birth, today) < 18:
            raw.setdefault((location_id, True), []).append((pk, weight))
    pools = {}
    for key, rows in raw.items():
        total, cumulative = 0.0, []
        for _pk, weight in rows:
            total += weight
            cumulative.append(total)
        pools[key] = ([pk for pk, _ in rows], cumulative)
    return pools


def history_demo(*, seed: int, years: float, until: dt.date, behaviour: Behaviour | None = None) -> int:
    """Bulk-insert `years` of past appointments on the working days before `until` (the builder's first day);
    returns how many. Run inside the builder's transaction."""
    if years <= 0:
        return 0
    rng = random.Random(seed * 104_729 + 2022)
    behaviour = behaviour or Behaviour.of_practice(seed=seed)
    first = until - dt.timedelta(days=round(365.25 * years))
    practitioners = list(Practitioner.objects.prefetch_related("locations").order_by("pk"))
    types = list(AppointmentType.objects.filter(code__in=list(TYPE_WEIGHTS)).order_by("pk"))
    if not practitioners or not types:
        return 0
    patients = list(Patient.objects.order_by("pk").values_list("pk", "home_location_id", "birth_date"))
    pools = _pools(patients, first, rng)
    everyone = pools.get((None, False))
    locations = {loc.pk: loc for p in practitioners for loc in p.locations.all()}
    closed = {pk: closed_days(loc, first, until) for pk, loc in locations.items()}
    now = clock.now()
    written = 0
    batch: list[Appointment] = []
    day = first
    while day < until:
        if day.weekday() < 5:
            fill, winter, school = _season(day)
            fill *= BASE_FILL * (1.0 + 0.05 * (day - until).days / 365.25)  # a little growth year on year
            fill *= 1.04 if day.weekday() == 0 else 0.92 if day.weekday() == 4 else 1.0
            for practitioner in practitioners:
                location = practitioner.locations.all()[0]
                if day in closed[location.pk]:
                    continue
                pediatric = practitioner.max_patient_age is not None and practitioner.max_patient_age < 18
                pool = pools.get((location.pk, pediatric)) or pools.get((location.pk, False)) or everyone
                if pool is None:
                    all_pools = [p for p in pools.values() if p[0]]
                    if not all_pools:
                        return written
                    pool = all_pools[0]
                weights = _type_weights(types, winter, school, pediatric)
                written += _provider_day(batch, behaviour, rng, practitioner, location, day, fill, types, weights,
                                         pool, now)
        day += dt.timedelta(days=1)
        if len(batch) >= BATCH or day >= until:
            _flush(batch)
    return written


def _provider_day(batch: list[Appointment], behaviour: Behaviour, rng: random.Random, practitioner: Practitioner,
                  location: Location, day: dt.date, fill: float, types: Sequence[AppointmentType],
                  weights: list[float], pool: tuple[list[int], list[float]], now: dt.datetime) -> int:
    tz = location.tz
    seen: set[int] = set()
    minute, made = DAY_START, 0
    while minute < DAY_END:
        kind = rng.choices(types, weights=weights)[0]
        if rng.random() > min(fill, 0.97):
            minute += 20
            continue
        patient_id = rng.choices(pool[0], cum_weights=pool[1])[0]
        if patient_id in seen:
            patient_id = rng.choices(pool[0], cum_weights=pool[1])[0]
        seen.add(patient_id)
        start = dt.datetime.combine(day, dt.time(minute // 60, minute % 60), tzinfo=tz).astimezone(dt.UTC)
        end = start + dt.timedelta(minutes=kind.duration_minutes)
        made_at = behaviour.booking(patient_id=patient_id, kind=kind, start=start, tz=tz, now=now)
        batch.append(Appointment(
            patient_id=patient_id, practitioner=practitioner, location=location, appointment_type=kind,
            start=start, end=end, status=made_at.status, telehealth=kind.telehealth, created_at=made_at.created_at,
            confirmed_at=made_at.confirmed_at, confirmed_via=made_at.confirmed_via, late_cancel=made_at.late_cancel,
            cancel_reason="Patient request" if made_at.status == AppointmentStatus.CANCELLED else ""))
        made += 1
        minute += kind.duration_minutes + kind.buffer_after_minutes
    return made


def _flush(batch: list[Appointment]) -> None:
    with written_booked_at():
        Appointment.objects.bulk_create(batch, batch_size=1000)
    batch.clear()
