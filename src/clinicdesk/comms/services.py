"""Writes of the communications app: planning reminders, answers from patients, opt-outs, resends."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from clinicdesk.audit.services import atomic_service, record
from clinicdesk.core import clock
from clinicdesk.core.exceptions import NotFound, ValidationFailed
from clinicdesk.core.permissions import Actor, Perm, SystemActor
from clinicdesk.core.text import digits
from clinicdesk.patients.models import Patient
from clinicdesk.patients.selectors import require_patient_in_reach
from clinicdesk.practice.selectors import practice_settings
from clinicdesk.scheduling import services as scheduling
from clinicdesk.scheduling.models import Appointment, AppointmentStatus
from clinicdesk.scheduling.selectors import appointment_ics

from . import content, quiet_hours
from .consent import address_for, consent_prefetch, contact_refusal, refusal_words
from .consent_records import (  # noqa: F401 - consent_address_record, consent_record: the outreach app's way in
    consent_address_record,
    consent_email_unsubscribe,
    consent_record,
    consent_sms_keyword,
)
from .models import (
    TRANSITIONS,
    Channel,
    Kind,
    Message,
    MessageEvent,
    Recall,
    ReminderRule,
    Status,
    plan_stamp,
    stamp_of,
)
from .outreach_sending import (  # noqa: F401 - the outreach app's way in (#24)
    outreach_channel_for,
    outreach_contact_send,
    outreach_message_queue,
    patient_language,
)
from .quiet_hours import next_sendable

ANSWER_SALT = "clinicdesk.comms.answer"
STOP_WORDS = ("STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "ALTO", "PARAR")
START_WORDS = ("START", "UNSTOP", "ALTA")
# What a patient's own link or reply may do, and nothing more.
PATIENT_LINK = SystemActor("patient-link", frozenset({Perm.SCHEDULE_WRITE, Perm.SCHEDULE_READ}))
REMINDER_WORKER = SystemActor("reminders", frozenset({Perm.PATIENT_READ, Perm.SCHEDULE_READ}))


# --- links -------------------------------------------------------------------------------------
def answer_token(*, appointment_id: int, purpose: str = "appointment", extra: int | None = None) -> str:
    payload: dict[str, Any] = {"a": appointment_id, "p": purpose}
    if extra is not None:
        payload["x"] = extra
    return signing.dumps(payload, salt=ANSWER_SALT, compress=True)


def answer_url(token: str) -> str:
    return f"{settings.PUBLIC_BASE_URL.rstrip('/')}{reverse('comms:answer', args=[token])}"


def answer_token_read(token: str) -> dict[str, Any]:
    try:
        return signing.loads(token, salt=ANSWER_SALT, max_age=settings.ANSWER_LINK_MAX_AGE_DAYS * 86400)
    except signing.SignatureExpired as exc:
        raise NotFound("link-expired", _("This link has expired. Please call the practice.")) from exc
    except signing.BadSignature as exc:
        raise NotFound("link-invalid", _("This link is not valid.")) from exc


# --- planning ----------------------------------------------------------------------------------
def _values(appointment: Appointment, language: str, url: str) -> dict[str, Any]:
    location = appointment.location
    date, time = content.local_date_time(appointment.start, location.tz, language)
    return {
        "date": date, "time": time, "location": location.name,
        "address": f"{location.address_line}, {location.city}",
        "appointment_name": appointment.appointment_type.patient_name_in(language),
        "phone": location.phone, "practice": practice_settings().short_name, "answer_url": url,
    }


class _Rules:
    """Active rules, read once, matched per appointment type and location."""

    def __init__(self) -> None:
        self.rules = list(ReminderRule.objects.filter(active=True))

    def for_appointment(self, appointment: Appointment) -> list[ReminderRule]:
        return [r for r in self.rules
                if r.appointment_type_id in (None, appointment.appointment_type_id)
                and r.location_id in (None, appointment.location_id)]


def _message_for(appointment: Appointment, rule: ReminderRule, now: dt.datetime,
                 wording: content.Wording, quiet: tuple[int, int] | None = None) -> Message | None:
    patient = appointment.patient
    if contact_refusal(patient, rule.channel, purpose="appointment"):
        return None
    if rule.kind == Kind.CONFIRMATION:
        due = now
    else:
        due = appointment.start - dt.timedelta(minutes=rule.minutes_before)
        if due <= now:
            return None  # booked too late for this reminder
    due = next_sendable(due, patient.home_location.tz, quiet)
    if due >= appointment.start:
        return None
    language = content.language_for(patient)
    url = answer_url(answer_token(appointment_id=appointment.pk))
    rendered = content.render(kind=rule.kind, channel=rule.channel, patient=patient, wording=wording,
                              values=_values(appointment, language, url))
    ics = _ics(appointment) if rule.kind == Kind.CONFIRMATION and rule.channel == Channel.EMAIL else ""
    return Message(
        patient=patient, appointment=appointment, kind=rule.kind, channel=rule.channel,
        to_address=address_for(patient, rule.channel), language=rendered.language, subject=rendered.subject,
        body=rendered.body, ics=ics, status=Status.QUEUED, send_after=due, purpose="appointment",
        dedupe_key=f"appt:{appointment.pk}:rule:{rule.pk}{plan_stamp(appointment.start)}",
    )


def _ics(appointment: Appointment) -> str:
    return appointment_ics(appointment).decode()


def _appointments(ids: list[int]) -> Any:
    return (Appointment.objects.select_related("patient__home_location", "location", "appointment_type", "practitioner")
            .filter(pk__in=ids).order_by("pk"))


def reminders_plan(*, appointment_id: int) -> int:
    """Queue the confirmation and reminders an appointment's rules call for. Safe to repeat: each
    (appointment, rule, start time) is planned once. A moved or cancelled appointment's earlier plan is
    withdrawn first. Returns the number of messages queued now."""
    appointment = _appointments([appointment_id]).first()
    if appointment is None:
        return 0
    with transaction.atomic():
        stamp = plan_stamp(appointment.start)
        withdrawn = Message.objects.filter(appointment=appointment, status__in=[Status.QUEUED, Status.SCHEDULED],
                                           kind__in=[Kind.REMINDER, Kind.CONFIRMATION])
        if appointment.status == AppointmentStatus.BOOKED:
            withdrawn = withdrawn.exclude(dedupe_key__endswith=stamp)
        _suppress(withdrawn, "appointment changed")
        if appointment.status != AppointmentStatus.BOOKED:
            return 0
        return reminders_plan_many(appointment_ids=[appointment_id])


def reminders_plan_many(*, appointment_ids: list[int], chunk: int = 2000) -> int:
    """Plan for many booked appointments at once (a day's worth, a bulk import). Idempotent."""
    rules, wording, now, created = _Rules(), content.Wording(), clock.now(), 0
    quiet = quiet_hours.current()
    for first in range(0, len(appointment_ids), chunk):
        batch = list(_appointments(appointment_ids[first:first + chunk]).filter(status=AppointmentStatus.BOOKED))
        with consent_prefetch(appointment.patient for appointment in batch):  # one query for the batch's consent
            planned = [m for appointment in batch for rule in rules.for_appointment(appointment)
                       if (m := _message_for(appointment, rule, now, wording, quiet))]
        with transaction.atomic():
            created += len(Message.objects.bulk_create(planned, ignore_conflicts=True, batch_size=500))
            _wake_sender()
    return created


def reminders_plan_missed(*, lookback: dt.timedelta = dt.timedelta(days=1),
                          settle: dt.timedelta = dt.timedelta(minutes=2)) -> int:
    """The safety net behind the planning job that every booking enqueues after its COMMIT: a process that
    dies in between leaves a booked appointment with nothing planned. Appointments booked or changed in the
    last day (and not in the last two minutes, where the job may still be on its way) that are still booked,
    still ahead, and have no confirmation or reminder planned since their last change are planned now.
    Idempotent; an appointment whose patient accepts no channel is simply looked at again."""
    now = clock.now()
    planned_since_change = Message.objects.filter(appointment=OuterRef("pk"), kind__in=[Kind.CONFIRMATION,
                                                                                        Kind.REMINDER],
                                                  created_at__gte=OuterRef("updated_at"))
    missed = list(Appointment.objects.filter(updated_at__gte=now - lookback, updated_at__lt=now - settle,
                                             status=AppointmentStatus.BOOKED, start__gt=now)
                  .exclude(Exists(planned_since_change)).values_list("pk", flat=True))
    return reminders_plan_many(appointment_ids=missed) if missed else 0


def _suppress(messages: QuerySet[Message], reason: str) -> None:
    ids = list(messages.values_list("pk", flat=True))
    if ids:
        Message.objects.filter(pk__in=ids).update(status=Status.SUPPRESSED, last_error=reason)
        MessageEvent.objects.bulk_create([MessageEvent(message_id=pk, at=clock.now(), status=Status.SUPPRESSED,
                                                       detail=reason) for pk in ids])


def _wake_sender() -> None:
    from .tasks import send_due_messages

    transaction.on_commit(lambda: send_due_messages.enqueue())


def message_queue(*, patient: Patient, kind: str, channel: str, values: dict[str, Any], dedupe_key: str,
                  appointment: Appointment | None = None, send_after: dt.datetime | None = None,
                  requested: bool = False, purpose: str = "appointment") -> Message | None:
    """Queue one message (offers, recalls, no-show follow-ups). None when the patient may not be contacted on
    `channel` for `purpose` (consent.contact_refusal).
    `requested`: the patient asked for this very message (a portal sign-in code): sent to the address on file of an
    active patient whatever their marketing and reminder opt-ins say."""
    purpose = "requested" if requested else purpose
    if contact_refusal(patient, channel, purpose=purpose):
        return None
    rendered = content.render(kind=kind, channel=channel, patient=patient,
                              values={"practice": practice_settings().short_name, **values})
    due = send_after or clock.now()
    if not requested:  # a message the patient just asked for goes now, quiet hours or not
        due = next_sendable(due, patient.home_location.tz)
    message, _ = Message.objects.get_or_create(dedupe_key=dedupe_key, defaults={
        "patient": patient, "appointment": appointment, "kind": kind, "channel": channel,
        "to_address": address_for(patient, channel), "language": rendered.language,
        "subject": rendered.subject, "body": rendered.body, "status": Status.QUEUED, "send_after": due,
        "purpose": purpose})
    _wake_sender()
    return message


def message_queue_text(*, patient: Patient, channel: str, subject: str, body: str, dedupe_key: str,
                       appointment: Appointment | None = None, purpose: str = "appointment") -> Message | None:
    """Queue one message whose words another app wrote in the patient's language (a readiness packet, #18): the
    outbox as for reminders (consent checked, quiet hours held). None when the channel is not allowed."""
    if contact_refusal(patient, channel, purpose=purpose):
        return None
    due = next_sendable(clock.now(), patient.home_location.tz)
    message, _ = Message.objects.get_or_create(dedupe_key=dedupe_key, defaults={
        "patient": patient, "appointment": appointment, "kind": Kind.MANUAL, "channel": channel,
        "to_address": address_for(patient, channel), "language": content.language_for(patient),
        "subject": subject[:200], "body": body[:480] if channel == Channel.SMS else body, "status": Status.QUEUED,
        "send_after": due, "purpose": purpose})
    _wake_sender()
    return message


# --- answers -----------------------------------------------------------------------------------
@atomic_service
def appointment_answer(*, token: str, answer: str, channel: str = "link") -> Any:
    """A patient confirms or cancels from a link (or an SMS reply). No login: the signed token is the
    proof, and it only reaches the appointment it was made for."""
    payload = answer_token_read(token)
    if payload.get("p") != "appointment":
        raise NotFound("link-invalid", _("This link is not valid."))
    appointment_id = int(payload["a"])
    if answer == "confirm":
        return scheduling.appointment_confirm(actor=PATIENT_LINK, appointment_id=appointment_id, channel=channel)
    if answer == "cancel":
        return scheduling.appointment_cancel(actor=PATIENT_LINK, appointment_id=appointment_id,
                                             reason=f"cancelled by the patient ({channel})")
    raise ValidationFailed("bad-answer", _("Choose confirm or cancel."))


def _latest_sms_to(phone: str) -> Message | None:
    tail = digits(phone)[-10:]
    candidates = Message.objects.filter(channel=Channel.SMS, appointment__isnull=False,
                                        kind__in=[Kind.CONFIRMATION, Kind.REMINDER]).order_by("-sent_at", "-pk")
    return next((m for m in candidates[:50].iterator() if digits(m.to_address)[-10:] == tail), None) \
        if tail else None


@atomic_service
def sms_reply_receive(*, from_number: str, body: str) -> str:
    """A reply from a patient's phone: STOP opts out at once (every purpose by text, every chart with the number:
    consent_records.consent_sms_keyword); START re-grants appointment messages; C confirms and X cancels the
    appointment the last reminder to that number was about. Returns what was done."""
    word = body.strip().upper()
    if word in STOP_WORDS:
        return "opted-out" if consent_sms_keyword(actor=PATIENT_LINK, phone=from_number, stop=True) else \
            "unknown-number"
    if word in START_WORDS:
        return "opted-in" if consent_sms_keyword(actor=PATIENT_LINK, phone=from_number, stop=False) else \
            "unknown-number"
    if word in ("C", "X", "Y", "YES", "SI", "SÍ"):
        message = _latest_sms_to(from_number)
        if message is None or message.appointment_id is None:
            return "no-appointment"
        token = answer_token(appointment_id=message.appointment_id)
        appointment_answer(token=token, answer="cancel" if word == "X" else "confirm", channel="sms")
        return "cancelled" if word == "X" else "confirmed"
    return "ignored"


def unsubscribe_token(*, patient_id: int, purpose: str) -> str:
    """The signed link an e-mail carries to stop e-mails for its purpose."""
    return signing.dumps({"a": 0, "p": "unsubscribe", "x": patient_id, "u": purpose}, salt=ANSWER_SALT,
                         compress=True)


def unsubscribe_url(*, patient_id: int, purpose: str) -> str:
    path = reverse("comms:unsubscribe", args=[unsubscribe_token(patient_id=patient_id, purpose=purpose)])
    return f"{settings.PUBLIC_BASE_URL.rstrip('/')}{path}"


def unsubscribe_language(*, token: str) -> tuple[str, str]:
    """(the patient's language, the purpose) of an unsubscribe link; NotFound for a bad or expired one."""
    payload = answer_token_read(token)
    patient = Patient.objects.filter(pk=payload.get("x") or 0).first() if payload.get("p") == "unsubscribe" else None
    if patient is None:
        raise NotFound("link-invalid", _("This link is not valid."))
    return content.language_for(patient), str(payload.get("u") or "")


@atomic_service
def email_unsubscribe(*, token: str) -> int:
    """An unsubscribe link followed: the purpose it names revoked by e-mail (a link naming none: all e-mail)."""
    payload = answer_token_read(token)
    if payload.get("p") != "unsubscribe":
        raise NotFound("link-invalid", _("This link is not valid."))
    return consent_email_unsubscribe(actor=PATIENT_LINK, patient_id=int(payload["x"]), purpose=payload.get("u"))


# --- delivery reports and the outbox -----------------------------------------------------------
_PROVIDER_STATUS = {"queued": Status.SENT, "sent": Status.SENT, "delivered": Status.DELIVERED,
                    "undelivered": Status.FAILED, "failed": Status.FAILED, "bounced": Status.BOUNCED}


def delivery_report_receive(*, provider_id: str, provider_status: str, detail: str = "") -> Message | None:
    status = _PROVIDER_STATUS.get(provider_status.lower())
    with transaction.atomic():
        message = Message.objects.select_for_update().filter(provider_id=provider_id).first()
        if message is None or status is None or status == message.status:
            return message
        if status not in TRANSITIONS[message.status]:
            return message  # an out-of-order report never moves a message backwards
        message.status = status
        fields = ["status"]
        if status == Status.DELIVERED:
            message.delivered_at = clock.now()
            fields.append("delivered_at")
        if status in (Status.FAILED, Status.BOUNCED):
            message.last_error = (detail or provider_status)[:300]
            fields.append("last_error")
        message.save(update_fields=fields)
        MessageEvent.objects.create(message=message, at=clock.now(), status=status, detail=detail[:300])
    return message


@atomic_service
def message_resend(*, actor: Actor, message_id: int) -> Message:
    """Send a failed, bounced or earlier message again, as a new outbox entry (the first stays as it was)."""
    original = Message.objects.select_related("patient__home_location").filter(pk=message_id).first()
    if original is None:
        raise NotFound()
    require_patient_in_reach(actor, original.patient, perm=Perm.PATIENT_WRITE, resource_type="message",
                             resource_id=message_id)
    if refusal := contact_refusal(original.patient, original.channel, purpose=original.purpose):
        raise ValidationFailed("not-consented", refusal_words(refusal, original.channel))
    key = f"resend:{original.pk}:{int(clock.now().timestamp() * 1_000_000)}"
    if original.kind in (Kind.CONFIRMATION, Kind.REMINDER):
        key += stamp_of(original.dedupe_key)  # the appointment time it speaks of, checked again before sending
    copy = Message.objects.create(
        patient=original.patient, appointment=original.appointment, kind=original.kind, channel=original.channel,
        to_address=address_for(original.patient, original.channel), language=original.language,
        subject=original.subject, body=original.body, ics=original.ics, status=Status.QUEUED,
        send_after=clock.now(), dedupe_key=key, purpose=original.purpose)
    record(actor, "message.resend", copy, patient=original.patient, detail={"original": original.pk})
    _wake_sender()
    return copy


# --- recalls and no-shows ----------------------------------------------------------------------
def any_channel(patient: Patient, *, purpose: str = "appointment") -> str | None:
    """A text message, else an e-mail: the first channel the patient may be reached on for `purpose`."""
    return next((c for c in (Channel.SMS, Channel.EMAIL) if not contact_refusal(patient, c, purpose=purpose)), None)


@atomic_service
def recall_add(*, actor: Actor, patient_id: int, appointment_type_id: int, due_date: dt.date, note: str = "") -> Any:
    patient = Patient.objects.filter(pk=patient_id).first()
    if patient is None:
        raise NotFound()
    require_patient_in_reach(actor, patient, perm=Perm.SCHEDULE_WRITE)
    if due_date <= clock.now().date():
        raise ValidationFailed("due-in-past", _("A recall is due in the future."),
                               fields={"due_date": [_("Pick a future date.")]})
    recall = Recall.objects.create(patient=patient, appointment_type_id=appointment_type_id, due_date=due_date,
                                   note=note[:200], created_at=clock.now())
    record(actor, "recall.add", recall, patient=patient)
    return recall


def recalls_notify_due() -> int:
    """'Time to book' messages for recalls that have come due (run daily by the ticker)."""
    due = Recall.objects.filter(state=Recall.State.DUE, due_date__lte=clock.now().date()).select_related(
        "patient__home_location", "appointment_type")
    sent = 0
    for recall in due:
        patient = recall.patient
        channel = any_channel(patient)
        with transaction.atomic():
            if channel is not None:
                location = patient.home_location
                message_queue(patient=patient, kind=Kind.RECALL, channel=channel, dedupe_key=f"recall:{recall.pk}",
                              values={"appointment_name": recall.appointment_type.patient_name_in(
                                          content.language_for(patient)),
                                      "phone": location.phone, "location": location.name})
                sent += 1
            Recall.objects.filter(pk=recall.pk).update(state=Recall.State.NOTIFIED)
    return sent


def no_show_follow_up(*, appointment_id: int) -> Message | None:
    appointment = (Appointment.objects.select_related("patient__home_location", "location", "appointment_type")
                   .filter(pk=appointment_id, status="noshow").first())
    if appointment is None:
        return None
    channel = any_channel(appointment.patient)
    if channel is None:
        return None
    language = content.language_for(appointment.patient)
    return message_queue(patient=appointment.patient, kind=Kind.NO_SHOW, channel=channel, appointment=appointment,
                         dedupe_key=f"noshow:{appointment.pk}", values=_values(appointment, language, ""))
