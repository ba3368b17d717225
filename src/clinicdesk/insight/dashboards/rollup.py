"""Keeping `DailyAppointments` current: recompute one provider's day from the schedule's rows.

The schedule announces every change (scheduling/hooks.py): a status move inside its transaction, a booking and a
reschedule after commit, the slot a reschedule left. Each names one provider's day (or two, for a move); that day
is counted again from the appointments (a handful of rows) and written with an upsert, so the same day
recomputed twice ends the same. Two requests recounting one day at once are serialized by a lock on the day
(core/advisory.py), taken before the count is read: without it, under READ COMMITTED, both could read, and the later
upsert could carry the earlier read, leaving the day one change behind. Insight's handlers never refuse a move: the
count is done after the move commits, and a failure is logged (`clinicdesk insight dashboards-rebuild` repairs any
day).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from django.db import connection, transaction
from django.db.models import Count, DurationField, ExpressionWrapper, F, Q, Sum
from django.db.models.functions import TruncDate

from clinicdesk.core import advisory
from clinicdesk.core.timezones import day_span_utc
from clinicdesk.practice.models import Location
from clinicdesk.scheduling.models import ACTIVE_STATUSES, Appointment, AppointmentStatus

from .tables import DailyAppointments

if TYPE_CHECKING:
    from clinicdesk.scheduling.hooks import AppointmentEvent, FreedSlot, StatusChange

logger = logging.getLogger(__name__)
S = AppointmentStatus
# Appointments that were never really on the schedule are not counted.
NOT_COUNTED = (S.PROPOSED, S.WAITLIST, S.ENTERED_IN_ERROR)
ATTENDED = (S.ARRIVED, S.CHECKED_IN, S.FULFILLED)
COUNTS = ["appointments", "new_patients", "booked_minutes", "attended", "noshows", "cancelled", "late_cancels"]
EXTRA = ["reminded", "confirmed", "roomed_visits", "rooming_seconds", "finished_visits", "visit_seconds"]
FIELDS = COUNTS + EXTRA
REMINDED = ("sent", "delivered")  # comms.models.Status values: the reminder left the practice
Key = tuple[int, int, dt.date]  # location, practitioner, local day


def _counted(queryset: Any, tz: ZoneInfo) -> Any:
    return (queryset.exclude(status__in=NOT_COUNTED)
            .annotate(local_day=TruncDate("start", tzinfo=tz))
            .values("local_day", "location_id", "practitioner_id", "appointment_type_id").order_by()
            .annotate(appointments=Count("pk"),
                      new_patients=Count("pk", filter=Q(appointment_type__new_patient=True)),
                      booked_minutes=Sum("appointment_type__duration_minutes", filter=Q(status__in=ACTIVE_STATUSES),
                                         default=0),
                      attended=Count("pk", filter=Q(status__in=ATTENDED)),
                      noshows=Count("pk", filter=Q(status=S.NOSHOW)),
                      cancelled=Count("pk", filter=Q(status=S.CANCELLED)),
                      late_cancels=Count("pk", filter=Q(status=S.CANCELLED, late_cancel=True))))


KEY = ("local_day", "location_id", "practitioner_id", "appointment_type_id")


def _extras(queryset: Any, tz: ZoneInfo) -> dict[tuple[Any, ...], dict[str, int]]:
    """Per key, the reminders (comms) and the flow-board times (frontdesk) of the same appointments."""
    from clinicdesk.comms.models import Message
    from clinicdesk.frontdesk.models import Visit

    wanted = queryset.exclude(status__in=NOT_COUNTED)
    out: dict[tuple[Any, ...], dict[str, int]] = defaultdict(lambda: dict.fromkeys(EXTRA, 0))
    prefix = "appointment__"
    keys = [f"{prefix}{k}" for k in KEY[1:]]
    confirmed = Q(appointment__confirmed_at__isnull=False, appointment__confirmed_at__lte=F("appointment__start"))
    for row in (Message.objects.filter(kind="reminder", status__in=REMINDED, appointment__in=wanted)
                .annotate(local_day=TruncDate("appointment__start", tzinfo=tz)).values("local_day", *keys).order_by()
                .annotate(n=Count("appointment_id", distinct=True),
                          c=Count("appointment_id", distinct=True, filter=confirmed))):
        bucket = out[(row["local_day"], *(row[k] for k in keys))]
        bucket["reminded"], bucket["confirmed"] = row["n"], row["c"]
    rooming = ExpressionWrapper(F("roomed_at") - F("checked_in_at"), output_field=DurationField())
    total = ExpressionWrapper(F("checked_out_at") - F("arrived_at"), output_field=DurationField())
    roomed = Q(roomed_at__isnull=False, checked_in_at__isnull=False)
    finished = Q(checked_out_at__isnull=False)
    for row in (Visit.objects.filter(appointment__in=wanted)
                .annotate(local_day=TruncDate("appointment__start", tzinfo=tz)).values("local_day", *keys).order_by()
                .annotate(rn=Count("pk", filter=roomed), r=Sum(rooming, filter=roomed),
                          tn=Count("pk", filter=finished), t=Sum(total, filter=finished))):
        bucket = out[(row["local_day"], *(row[k] for k in keys))]
        bucket["roomed_visits"], bucket["finished_visits"] = row["rn"], row["tn"]
        bucket["rooming_seconds"] = int(row["r"].total_seconds()) if row["r"] else 0
        bucket["visit_seconds"] = int(row["t"].total_seconds()) if row["t"] else 0
    return out


def _rows(queryset: Any, tz: ZoneInfo, *, stream: bool = True) -> list[DailyAppointments]:
    """The rows of `queryset`'s appointments. `stream=False`: read at once rather than through a server-side cursor
    (a provider's day is a few rows)."""
    more_by_key = _extras(queryset, tz)
    rows = []
    counted = _counted(queryset, tz)
    for values in (counted.iterator(chunk_size=5000) if stream else counted):
        more = more_by_key.get(tuple(values[k] for k in KEY), {})
        rows.append(DailyAppointments(day=values["local_day"], location_id=values["location_id"],
                                      practitioner_id=values["practitioner_id"],
                                      appointment_type_id=values["appointment_type_id"],
                                      **{name: values[name] or 0 for name in COUNTS},
                                      **{name: more.get(name, 0) for name in EXTRA}))
    return rows


def recompute(keys: Iterable[Key], *, zones: dict[int, str] | None = None, added: bool = False) -> None:
    """Count each (location, practitioner, local day) again from the appointments and store it. `zones`: the
    locations' time zones when the caller has them.

    `added`: the change only added an appointment to the day (a booking). Then no (day, type) row can lose
    appointments, and the new appointment has no reminder sent nor visit yet, so only the counts are recounted and
    upserted: the reminder and flow-board columns of an existing row stay as they are (they are what a full recount
    would write), and no row is deleted. A booking's recount is then one statement that counts and upserts; a full
    recount takes five."""
    keys = sorted(set(keys))
    if not keys:
        return
    if zones is None or not {k[0] for k in keys} <= zones.keys():
        zones = dict(Location.objects.filter(pk__in={k[0] for k in keys}).values_list("pk", "time_zone"))
    with transaction.atomic():
        for location_id, practitioner_id, day in keys:
            if location_id not in zones:
                continue
            advisory.hold("insight.daily-appointments", location_id, practitioner_id, day)  # keys are sorted
            tz = ZoneInfo(zones[location_id])
            start, end = day_span_utc(day, tz)
            appointments = Appointment.objects.filter(
                location_id=location_id, practitioner_id=practitioner_id, start__gte=start, start__lt=end)
            if added:
                _upsert_counts(appointments, tz)
                continue
            rows = _rows(appointments, tz, stream=False)
            DailyAppointments.objects.filter(location_id=location_id, practitioner_id=practitioner_id,
                                             day=day).exclude(
                appointment_type_id__in=[r.appointment_type_id for r in rows]).delete()
            if rows:
                DailyAppointments.objects.bulk_create(
                    rows, update_conflicts=True, update_fields=FIELDS,
                    unique_fields=["location_id", "practitioner_id", "day", "appointment_type_id"])


def _upsert_counts(appointments: Any, tz: ZoneInfo) -> None:
    """The counts of `appointments`, written straight from the database's read (one statement): a new (day, type)
    row starts with no reminders nor visits, an existing one keeps them."""
    table = connection.ops.quote_name(DailyAppointments._meta.db_table)
    select, params = _counted(appointments, tz).query.get_compiler(connection=connection).as_sql()
    columns = ", ".join(connection.ops.quote_name(name) for name in ("day", *KEY[1:], *COUNTS, *EXTRA))
    values = ", ".join(["c.local_day", *(f"c.{name}" for name in KEY[1:]),
                        *(f"coalesce(c.{name}, 0)" for name in COUNTS), *("0" for _ in EXTRA)])
    updates = ", ".join(f"{name} = excluded.{name}" for name in COUNTS)
    # names from this module and the model, values as parameters; `WHERE true`: SQLite would read an ON CONFLICT
    # after a bare FROM as a join's constraint
    sql = (f"INSERT INTO {table} ({columns}) SELECT {values} FROM ({select}) AS c WHERE true "  # noqa: S608
           f"ON CONFLICT (location_id, practitioner_id, day, appointment_type_id) DO UPDATE SET {updates}")
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def rebuild(*, first_day: dt.date | None = None, last_day: dt.date | None = None) -> int:
    """Count every appointment again (or those of the local days first_day..last_day); returns the rows written."""
    written = 0
    for location in Location.objects.order_by("pk"):
        tz = location.tz
        appointments = Appointment.objects.filter(location=location)
        existing = DailyAppointments.objects.filter(location_id=location.pk)
        if first_day is not None:
            appointments = appointments.filter(start__gte=day_span_utc(first_day, tz)[0])
            existing = existing.filter(day__gte=first_day)
        if last_day is not None:
            appointments = appointments.filter(start__lt=day_span_utc(last_day, tz)[1])
            existing = existing.filter(day__lte=last_day)
        with transaction.atomic():
            existing.delete()
            rows = _rows(appointments, tz)
            DailyAppointments.objects.bulk_create(rows, batch_size=5000)
        written += len(rows)
    return written


def _key(location_id: int, practitioner_id: int, start: dt.datetime, time_zone: str) -> Key:
    return location_id, practitioner_id, start.astimezone(ZoneInfo(time_zone)).date()


def _safely(keys: list[Key], **options: Any) -> None:
    try:
        recompute(keys, **options)
    except Exception:  # the schedule's change stands; the nightly rebuild repairs the count
        logger.exception("insight: recounting %s failed", keys)


# --- the schedule's hooks (registered in apps.py) --------------------------------------------------------------

def on_status_changed(change: StatusChange) -> None:
    """A status move (inside its transaction): recount the provider's day once the move commits."""
    a = change.appointment
    key = _key(a.location_id, a.practitioner_id, a.start, a.location.time_zone)
    transaction.on_commit(lambda: _safely([key]))


def on_appointment_changed(event: AppointmentEvent) -> None:
    """After commit: a booking or a move lands on a provider's day."""
    if event.action not in ("booked", "rescheduled"):
        return  # status moves were counted through on_status_changed
    appointment = event.appointment()  # a booking's own copy, or the committed row the event's handlers share
    if appointment is not None:
        location_id, time_zone = appointment.location_id, appointment.location.time_zone
        _safely([_key(location_id, appointment.practitioner_id, appointment.start, time_zone)],
                zones={location_id: time_zone}, added=event.action == "booked")


def on_slot_freed(slot: FreedSlot) -> None:
    """After commit: a move leaves the provider's old day with one appointment fewer."""
    if slot.reason != "rescheduled":
        return
    time_zone = Location.objects.filter(pk=slot.location_id).values_list("time_zone", flat=True).first()
    if time_zone is not None:
        _safely([_key(slot.location_id, slot.practitioner_id, slot.start, time_zone)])
