"""Waitlist offers: a freed slot goes to the best-matching waitlisted patients; the first to accept
gets the appointment, the others are told it is gone. Two patients can never both get it: the offer
row is locked while accepting, and the booking itself is guarded by the schedule's constraints."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from clinicdesk.audit.services import atomic_service, record
from clinicdesk.core import clock
from clinicdesk.core.exceptions import Conflict, NotFound
from clinicdesk.core.permissions import Perm, SystemActor
from clinicdesk.practice.models import Location
from clinicdesk.scheduling import services as scheduling
from clinicdesk.scheduling.selectors import waitlist_matches

from . import content
from .models import Channel, Kind, OfferInvite, WaitlistOffer
from .services import answer_token, answer_token_read, answer_url, any_channel, message_queue

OFFER_ACTOR = SystemActor("waitlist-offer", frozenset({Perm.SCHEDULE_WRITE, Perm.SCHEDULE_READ}))


def _preferred_channel(patient: Any) -> str:
    """A text message when the patient may be texted about appointments, else an e-mail (which message_queue
    refuses in turn when that is not allowed either): consent.contact_refusal decides."""
    return any_channel(patient, purpose="appointment") or Channel.EMAIL


def _slot_values(offer: WaitlistOffer, patient: Any, url: str) -> dict[str, Any]:
    language = content.language_for(patient)
    date, time = content.local_date_time(offer.start, offer.location.tz, language)
    return {"date": date, "time": time, "location": offer.location.name, "phone": offer.location.phone,
            "appointment_name": offer.appointment_type.patient_name_in(language), "answer_url": url}


def waitlist_offer_slot(*, appointment_id: int | None, practitioner_id: int, location_id: int,
                        appointment_type_id: int, start: dt.datetime, end: dt.datetime) -> WaitlistOffer | None:
    """Offer a freed slot to the best matches. Safe to repeat for the same freed slot."""
    if start <= clock.now():
        return None
    location = Location.objects.get(pk=location_id)
    matches = waitlist_matches(actor=OFFER_ACTOR, location=location, practitioner_id=practitioner_id,
                               appointment_type_id=appointment_type_id, start=start, end=end,
                               limit=settings.WAITLIST_OFFER_FANOUT)
    if not matches:
        return None
    try:
        with transaction.atomic():
            offer = WaitlistOffer.objects.create(
                practitioner_id=practitioner_id, location=location, appointment_type_id=appointment_type_id,
                start=start, end=end, freed_from_appointment_id=appointment_id, created_at=clock.now())
            for match in matches:
                invite = OfferInvite.objects.create(offer=offer, waitlist_entry_id=match.entry.pk,
                                                    patient=match.entry.patient)
                url = answer_url(answer_token(appointment_id=appointment_id or 0, purpose="offer", extra=invite.pk))
                patient = match.entry.patient
                message_queue(patient=patient, kind=Kind.WAITLIST_OFFER, channel=_preferred_channel(patient),
                              values=_slot_values(offer, patient, url), dedupe_key=f"offer:{invite.pk}")
            record(OFFER_ACTOR, "waitlist.offer", offer,
                   detail={"patients": [m.entry.patient_id for m in matches]})
    except IntegrityError:  # this freed slot was offered already
        return WaitlistOffer.objects.filter(freed_from_appointment_id=appointment_id, start=start).first()
    return offer


@atomic_service
def offer_accept(*, token: str) -> Any:
    """The patient behind `token` takes the slot, unless someone was quicker."""
    payload = answer_token_read(token)
    if payload.get("p") != "offer":
        raise NotFound("link-invalid", _("This link is not valid."))
    invite = OfferInvite.objects.select_related("patient").filter(pk=int(payload["x"])).first()
    if invite is None:
        raise NotFound("link-invalid", _("This link is not valid."))
    offer = (WaitlistOffer.objects.select_for_update().select_related("location", "appointment_type")
             .get(pk=invite.offer_id))
    if offer.state != WaitlistOffer.State.OPEN or offer.start <= clock.now():
        raise Conflict("offer-taken", _("Sorry, this time has already been taken. You stay on the waitlist."))
    request = scheduling.BookingRequest(patient_id=invite.patient_id, practitioner_id=offer.practitioner_id,
                                        location_id=offer.location_id, appointment_type_id=offer.appointment_type_id,
                                        start=offer.start)
    appointment = scheduling.appointment_book(actor=OFFER_ACTOR, request=request, idempotency_key=f"offer:{offer.pk}")
    offer.state, offer.appointment = WaitlistOffer.State.TAKEN, appointment
    offer.save(update_fields=["state", "appointment"])
    OfferInvite.objects.filter(pk=invite.pk).update(state=OfferInvite.State.ACCEPTED, answered_at=clock.now())
    scheduling.waitlist_remove(actor=OFFER_ACTOR, entry_id=invite.waitlist_entry_id, booked=True)
    _tell_the_others(offer, accepted=invite)
    record(OFFER_ACTOR, "waitlist.offer_accept", offer, patient=invite.patient_id)
    return appointment


def _tell_the_others(offer: WaitlistOffer, *, accepted: OfferInvite) -> None:
    others = OfferInvite.objects.filter(offer=offer).exclude(pk=accepted.pk).select_related("patient__home_location")
    for invite in others:
        patient = invite.patient
        message_queue(patient=patient, kind=Kind.OFFER_TAKEN, channel=_preferred_channel(patient),
                      values=_slot_values(offer, patient, ""), dedupe_key=f"offer-taken:{invite.pk}")
    others.update(state=OfferInvite.State.TOO_LATE)
