"""What the outreach app sends (#24 item 3): the reminder the day before, the notice of a place freed from the
waitlist, the follow-up survey link after the event, the notice that an event was cancelled; and the survey's answers.

Patients are written to in their language through the comms outbox (their consent and quiet hours hold there);
contacts only when they agreed to be contacted, directly on the channel, outside quiet hours (the periodic task
tries again on its next run). Each is sent once: the registration keeps when."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models import Avg, Count, Q
from django.urls import reverse
from django.utils import formats, translation
from django.utils.translation import gettext as _

from clinicdesk.audit.services import atomic_service, record
from clinicdesk.comms import services as comms
from clinicdesk.core import clock
from clinicdesk.core.exceptions import Conflict, NotFound, ValidationFailed
from clinicdesk.core.permissions import Perm, SystemActor

from .models import Event, EventStatus, Registration, RegistrationStatus, SurveyAnswer

OUTREACH_WORKER = SystemActor("outreach", frozenset({Perm.PATIENT_READ, Perm.OUTREACH_USE}))
SURVEY_SALT = "clinicdesk.outreach.survey"
SURVEY_DAYS = 30  # a survey link works this long after the event
SURVEY_WINDOW = dt.timedelta(days=3)  # surveys go out for events that ended this recently


def _when(event: Event, language: str) -> str:
    local = event.start.astimezone(event.location.tz)
    with translation.override(language):
        return f"{formats.date_format(local, 'DATE_FORMAT')} {formats.time_format(local, 'TIME_FORMAT')}"


def _where(event: Event) -> str:
    if event.online_url:
        return event.online_url
    return event.place or f"{event.location.name}, {event.location.address_line}"


def _language(registration: Registration) -> str:
    if registration.patient_id:
        return comms.patient_language(registration.patient)
    assert registration.contact is not None
    return registration.contact.language if registration.contact.language in ("en", "es") else "en"


def _first_name(registration: Registration) -> str:
    if registration.patient is not None:
        return registration.patient.preferred_name or registration.patient.given_name
    return registration.contact.given_name if registration.contact is not None else ""


def _wording(registration: Registration, what: str) -> tuple[str, str]:
    event, language = registration.event, _language(registration)
    values = {"title": event.title_in(language), "when": _when(event, language), "where": _where(event),
              "name": _first_name(registration), "link": survey_url(registration) if what == "survey" else ""}
    with translation.override(language):
        if what == "reminder":
            return (_("Reminder: %(title)s tomorrow") % values,
                    _("Hello %(name)s, this is a reminder of %(title)s on %(when)s at %(where)s. We look forward "
                      "to seeing you.") % values)
        if what == "cancelled":
            return (_("Cancelled: %(title)s") % values,
                    _("Hello %(name)s, we are sorry: %(title)s on %(when)s has been cancelled. Please call us if "
                      "you have any questions.") % values)
        if what == "promoted":
            return (_("A place for you: %(title)s") % values,
                    _("Hello %(name)s, a place has opened for %(title)s on %(when)s at %(where)s and it is yours.")
                    % values)
        return (_("How was %(title)s?") % values,
                _("Hello %(name)s, thank you for coming to %(title)s. Please tell us how it was: %(link)s")
                % values)


def _send(registration: Registration, what: str) -> bool:
    """Queue (patient) or send (contact who agreed) one message; True when it went or is queued. Each is about a
    place the person asked for, so its purpose is "appointment": consent.contact_refusal / address_refusal decide
    (an opt-out, a STOP or an unsubscribe holds), not the marketing consent a campaign needs."""
    subject, body = _wording(registration, what)
    key = f"outreach:{what}:{registration.pk}"
    if registration.patient_id:
        return comms.outreach_message_queue(patient=registration.patient, subject=subject, body=body,
                                            dedupe_key=key, purpose="appointment") is not None
    contact = registration.contact
    if contact is None or not contact.consent:
        return False
    return comms.outreach_contact_send(email=contact.email, phone=contact.phone, subject=subject, body=body,
                                       key=key, tz=registration.event.location.tz, purpose="appointment")


def _registrations() -> Any:
    return Registration.objects.select_related("event__location", "patient__home_location", "contact")


def event_reminders_send() -> int:
    """The periodic task: remind everyone with a place of an event that takes place tomorrow (in the event's
    zone). Contacts who did not agree to be contacted get nothing."""
    now, sent = clock.now(), 0
    candidates = _registrations().filter(
        status=RegistrationStatus.CONFIRMED, reminded_at__isnull=True, event__status=EventStatus.SCHEDULED,
        event__start__gt=now, event__start__lte=now + dt.timedelta(hours=48)).exclude(
        patient__isnull=True, contact__consent=False)
    for registration in candidates:
        tz = registration.event.location.tz
        if registration.event.start.astimezone(tz).date() != now.astimezone(tz).date() + dt.timedelta(days=1):
            continue
        with transaction.atomic():
            if _send(registration, "reminder"):
                Registration.objects.filter(pk=registration.pk).update(reminded_at=now)
                record(OUTREACH_WORKER, "event_registration.remind", registration, patient=registration.patient_id,
                       detail={"event": registration.event_id})
                sent += 1
    return sent


def promotions_notify(*, registration_ids: list[int]) -> int:
    """Tell the people just given a place from the waitlist (after the promoting transaction commits)."""
    sent = 0
    for registration in _registrations().filter(pk__in=registration_ids, status=RegistrationStatus.CONFIRMED):
        with transaction.atomic():
            sent += _send(registration, "promoted")
    return sent


def event_cancel_notify(*, event_id: int) -> int:
    """Tell everyone with a place or on the waitlist of a cancelled event, each in their language: patients through
    the outbox (held through quiet hours, once per registration by its dedupe key), contacts who agreed to be
    contacted by their address (call it after the cancelling transaction commits: nothing goes out for a
    cancellation that rolled back). Returns how many were told or queued."""
    told = 0
    for registration in _registrations().filter(event_id=event_id, event__status=EventStatus.CANCELLED,
                                                status__in=[RegistrationStatus.CONFIRMED,
                                                            RegistrationStatus.WAITLISTED]).order_by("pk"):
        with transaction.atomic():
            if _send(registration, "cancelled"):
                record(OUTREACH_WORKER, "event_registration.cancel_notice", registration,
                       patient=registration.patient_id, detail={"event": event_id})
                told += 1
    return told


def event_surveys_send() -> int:
    """The periodic task: the follow-up survey link to everyone who came to an event that has ended."""
    now, sent = clock.now(), 0
    candidates = _registrations().filter(
        attended=True, survey_sent_at__isnull=True, event__status=EventStatus.SCHEDULED,
        event__start__gte=now - SURVEY_WINDOW, event__start__lt=now).exclude(
        patient__isnull=True, contact__consent=False)
    for registration in candidates:
        event = registration.event
        if event.start + dt.timedelta(minutes=event.duration_minutes) > now:
            continue
        with transaction.atomic():
            if _send(registration, "survey"):
                Registration.objects.filter(pk=registration.pk).update(survey_sent_at=now)
                record(OUTREACH_WORKER, "event_survey.send", registration, patient=registration.patient_id,
                       detail={"event": event.pk})
                sent += 1
    return sent


# --- the survey --------------------------------------------------------------------------------
def survey_token(registration: Registration) -> str:
    return signing.dumps({"r": registration.pk}, salt=SURVEY_SALT, compress=True)


def survey_url(registration: Registration) -> str:
    return f"{settings.PUBLIC_BASE_URL.rstrip('/')}{reverse('outreach:survey', args=[survey_token(registration)])}"


def survey_registration(token: str) -> Registration:
    """The registration a survey link is for; NotFound for a link that is wrong or too old."""
    try:
        data = signing.loads(token, salt=SURVEY_SALT, max_age=SURVEY_DAYS * 86400 + 7 * 86400)
    except signing.BadSignature:
        raise NotFound("link-invalid", _("This link is not valid.")) from None
    registration = _registrations().filter(pk=data.get("r"), attended=True).first()
    if registration is None:
        raise NotFound("link-invalid", _("This link is not valid."))
    return registration


@atomic_service
def survey_answer(*, token: str, rating: int, useful: bool, would_recommend: bool, comment: str = "") -> SurveyAnswer:
    registration = survey_registration(token)
    if not 1 <= rating <= 5:
        raise ValidationFailed("bad-rating", _("Choose from 1 to 5."), fields={"rating": [_("Choose from 1 to 5.")]})
    if SurveyAnswer.objects.filter(registration=registration).exists():
        raise Conflict("already-answered", _("Thank you: this survey was already answered."))
    answer = SurveyAnswer.objects.create(registration=registration, rating=rating, useful=useful,
                                         would_recommend=would_recommend, comment=comment.strip()[:2000],
                                         answered_at=clock.now())
    record(OUTREACH_WORKER, "event_survey.answer", answer, patient=registration.patient_id,
           detail={"event": registration.event_id})
    return answer


def survey_summary(event: Event) -> dict[str, Any]:
    """Counts and averages of the answers to one event's survey (no names)."""
    answers = SurveyAnswer.objects.filter(registration__event=event)
    summary = answers.aggregate(count=Count("pk"), rating=Avg("rating"), useful=Count("pk", filter=Q(useful=True)),
                                recommend=Count("pk", filter=Q(would_recommend=True)))
    summary["comments"] = list(answers.exclude(comment="").order_by("-answered_at")
                               .values_list("comment", flat=True)[:20])
    return summary
