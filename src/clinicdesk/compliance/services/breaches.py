"""Breach incidents (HIPAA Breach Notification Rule, 45 CFR 164.400-414). A breach of unsecured protected health
information is logged with the day it was discovered and how many individuals it affects; notices are due:

- to the affected individuals: without unreasonable delay and within 60 days of discovery (164.404);
- to prominent media outlets, when more than 500 residents of a State or jurisdiction are affected: within 60
  days of discovery (164.406);
- to the Secretary of HHS: within 60 days of discovery when 500 or more are affected, otherwise within 60 days
  of the end of the calendar year of discovery (164.408).

Each notice is recorded with the day it was sent (late is allowed and shows late). When every notice required is
recorded, the breach becomes "notified"; it is then closed.
"""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from clinicdesk.audit.services import atomic_service, record
from clinicdesk.core import clock
from clinicdesk.core.exceptions import Conflict, NotFound
from clinicdesk.core.permissions import Actor, Perm, require, staff_user

from ..models import BREACH_NOTICE_DAYS, BREACH_TRANSITIONS, Audience, Breach, BreachNotice, BreachStatus
from ._common import Errors, choice, clean_text, location, move, not_future, today_at

HHS_IMMEDIATE = 500  # 500 or more: HHS within 60 days of discovery


def breach_clocks(discovered_on: dt.date, affected: int) -> tuple[dt.date, dt.date]:
    """(individuals and media due, HHS due)."""
    notify = discovered_on + dt.timedelta(days=BREACH_NOTICE_DAYS)
    hhs = notify if affected >= HHS_IMMEDIATE else dt.date(discovered_on.year, 12, 31) + dt.timedelta(days=60)
    return notify, hhs


def _breach(actor: Actor, breach_id: int) -> Breach:
    breach = Breach.objects.select_for_update(of=("self",)).select_related("location").filter(pk=breach_id).first()
    if breach is None:
        raise NotFound()
    require(actor, Perm.COMPLIANCE_ADMIN, location=breach.location_id, resource_type="breach",
            resource_id=breach_id, hide=True)
    return breach


@atomic_service
def breach_log(*, actor: Actor, location_id: int, discovered_on: dt.date | None, individuals_affected: int | None,
               description: str, idempotency_key: str = "") -> Breach:
    require(actor, Perm.COMPLIANCE_ADMIN, location=location_id, resource_type="breach")
    if idempotency_key and (prior := Breach.objects.filter(idempotency_key=idempotency_key).first()):
        return prior
    where = location(location_id)
    errors = Errors()
    description = clean_text(errors, "description", description, label=_("What happened"), max_length=4000,
                             required=True, multiline=True)
    if discovered_on is None:
        errors.add("discovered_on", _("Give the day the breach was discovered."))
    not_future(errors, "discovered_on", discovered_on, today_at(where), label=_("The day it was discovered"))
    if individuals_affected is None or isinstance(individuals_affected, bool) or not (
            1 <= individuals_affected <= 100_000_000):
        errors.add("individuals_affected", _("Give how many individuals are affected (at least one)."))
    errors.raise_if_any("invalid-breach")
    assert discovered_on is not None and individuals_affected is not None
    notify, hhs = breach_clocks(discovered_on, individuals_affected)
    breach = Breach.objects.create(location=where, discovered_on=discovered_on, description=description,
                                   individuals_affected=individuals_affected, notify_due_on=notify, hhs_due_on=hhs,
                                   logged_by=staff_user(actor), logged_at=clock.now(),
                                   idempotency_key=idempotency_key or None)
    record(actor, "breach.log", breach, detail={"affected": individuals_affected, "notify_due_on": notify.isoformat(),
                                                "hhs_due_on": hhs.isoformat()})
    return breach


@atomic_service
def breach_notice_record(*, actor: Actor, breach_id: int, audience: str, sent_on: dt.date | None,
                         note: str = "") -> BreachNotice:
    breach = _breach(actor, breach_id)
    errors = Errors()
    audience = choice(errors, "audience", audience, Audience, label=_("Who was notified"))
    note = clean_text(errors, "note", note, label=_("How"), max_length=300)
    today = today_at(breach.location)
    if sent_on is None:
        errors.add("sent_on", _("Give the day the notice was sent."))
    elif sent_on < breach.discovered_on:
        errors.add("sent_on", _("A notice cannot be sent before the breach was discovered."))
    not_future(errors, "sent_on", sent_on, today, label=_("The day it was sent"))
    errors.raise_if_any("invalid-notice")
    assert sent_on is not None
    if audience == Audience.MEDIA and not breach.media_required:
        raise Conflict("media-not-required", _("Media notice is required only when more than 500 individuals are "
                                               "affected."))
    if breach.notices.filter(audience=audience).exists():
        raise Conflict("notice-recorded", _("This notice is already recorded."))
    if breach.status != BreachStatus.OPEN:
        raise Conflict("breach-notified", _("Every notice for this breach is already recorded."))
    notice = BreachNotice.objects.create(breach=breach, audience=audience, sent_on=sent_on, note=note,
                                         recorded_by=staff_user(actor))
    record(actor, "breach.notify", breach, detail={"audience": audience, "sent_on": sent_on.isoformat(),
                                                   "late": sent_on > breach.due_for(audience)})
    done = set(breach.notices.values_list("audience", flat=True))
    if all(a in done for a in breach.audiences()):
        move(breach, BreachStatus.NOTIFIED, BREACH_TRANSITIONS, _("A breach"), BreachStatus)
        breach.save(update_fields=["status"])
    return notice


@atomic_service
def breach_close(*, actor: Actor, breach_id: int) -> Breach:
    breach = _breach(actor, breach_id)
    move(breach, BreachStatus.CLOSED, BREACH_TRANSITIONS, _("A breach"), BreachStatus)
    breach.save(update_fields=["status"])
    record(actor, "breach.close", breach)
    return breach
