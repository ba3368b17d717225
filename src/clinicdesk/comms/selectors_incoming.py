"""Reads of the correspondence screens (#24): the incoming-mail worklist of a location, what was sent."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from clinicdesk.accounts.models import User
from clinicdesk.audit.services import record
from clinicdesk.core.exceptions import NotFound
from clinicdesk.core.permissions import Actor, Perm, require
from clinicdesk.patients.models import Patient
from clinicdesk.patients.selectors import may_reach

from .models import ComposeTemplate, Correspondence, IncomingFile, IncomingItem

OPEN = (IncomingItem.State.NEW, IncomingItem.State.ASSIGNED)


def incoming_worklist(*, actor: Actor, location_id: int, state: str = "open") -> QuerySet[IncomingItem]:
    require(actor, Perm.CORRESPONDENCE_WRITE, location=location_id)
    items = (IncomingItem.objects.filter(location_id=location_id)
             .select_related("patient", "assignee").prefetch_related("files"))
    if state == "open":
        items = items.filter(state__in=OPEN)
    elif state in IncomingItem.State.values:
        items = items.filter(state=state)
    return items.order_by("state", "due_date", "-received_on", "-pk")


def incoming_item(*, actor: Actor, item_id: int) -> IncomingItem:
    item = (IncomingItem.objects.select_related("patient", "assignee", "location").prefetch_related("files")
            .filter(pk=item_id).first())
    if item is None:
        raise NotFound()
    require(actor, Perm.CORRESPONDENCE_WRITE, location=item.location_id, hide=True, resource_type="incomingitem",
            resource_id=item_id)
    return item


def sent_correspondence(*, actor: Actor, location_id: int, limit: int = 200) -> list[Correspondence]:
    require(actor, Perm.CORRESPONDENCE_WRITE, location=location_id)
    return list(Correspondence.objects.filter(location_id=location_id)
                .select_related("patient", "sent_by", "message", "template_version__template")[:limit])


def compose_templates(*, channel: str = "", active_only: bool = True) -> list[ComposeTemplate]:
    templates = ComposeTemplate.objects.prefetch_related("versions")
    if active_only:
        templates = templates.filter(active=True)
    if channel:
        templates = templates.filter(channel=channel)
    return list(templates)


def patient_choices(*, actor: Actor, ids: list[Any]) -> list[Any]:
    """The charts a compose form names, those in the actor's reach only."""

    patients = Patient.objects.select_related("home_location").filter(pk__in=[int(i) for i in ids if str(i).isdigit()])
    return [p for p in patients if may_reach(actor, p, perm=Perm.CORRESPONDENCE_WRITE)]


def people_at(*, location_id: int) -> list[tuple[int, str]]:
    """Who an incoming item may be assigned to: the active staff of its location."""

    users = User.objects.filter(locations=location_id, is_active=True).order_by("last_name", "first_name")
    return [(u.pk, u.get_full_name() or u.get_username()) for u in users]


def incoming_file_open(*, actor: Actor, item_id: int, file_id: int) -> tuple[IncomingFile, Any]:
    """A scan of an incoming item, opened for reading; the read audited."""
    from django.core.files.storage import default_storage


    item = incoming_item(actor=actor, item_id=item_id)
    file = next((f for f in item.files.all() if f.pk == file_id), None)
    if file is None:
        raise NotFound()
    record(actor, "incoming.file.read", item, patient=item.patient_id, detail={"file": file.pk})
    return file, default_storage.open(file.storage_name, "rb")
