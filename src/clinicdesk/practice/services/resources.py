"""Rooms and equipment: named, of a kind, at one location; deactivated, never deleted (bookings refer to them)."""

from __future__ import annotations

from typing import Any

from django.db.models import Model
from django.utils.translation import gettext as _

from clinicdesk.audit.services import atomic_service, record
from clinicdesk.core.changes import diff, snapshot
from clinicdesk.core.exceptions import Conflict, NotFound, ValidationFailed
from clinicdesk.core.permissions import Actor, Perm, require

from ..models import Equipment, Location, Room
from . import _common

RESOURCE_FIELDS = ("name", "kind", "active")
_CHANGEABLE = ("name", "kind", "active")


def _active_location(location_id: int) -> None:
    if not Location.objects.filter(pk=location_id, active=True).exists():
        raise ValidationFailed("unknown-location", _("No such location."),
                               fields={"location": [_("Unknown location.")]})


def _room_kind(kind: str) -> str:
    if kind not in Room.Kind.values:
        raise ValidationFailed("bad-kind", _("'%(kind)s' is not a room kind.") % {"kind": kind},
                               fields={"kind": [_("Unknown kind.")]})
    return kind


def _equipment_kind(kind: str) -> str:
    if kind not in Equipment.Kind.values:
        raise ValidationFailed("bad-kind", _("'%(kind)s' is not an equipment kind.") % {"kind": kind},
                               fields={"kind": [_("Unknown kind.")]})
    return kind


def _refuse_duplicate_room(location_id: int, name: str, *, exclude: int | None = None) -> None:
    if Room.objects.filter(location_id=location_id, name__iexact=name).exclude(pk=exclude or 0).exists():
        raise Conflict("duplicate-room", _("A room with this name exists at the location."),
                       fields={"name": [_("This name is taken at the location.")]})


def _refuse_duplicate_equipment(location_id: int, name: str, *, exclude: int | None = None) -> None:
    if Equipment.objects.filter(location_id=location_id, name__iexact=name).exclude(pk=exclude or 0).exists():
        raise Conflict("duplicate-equipment", _("Equipment with this name exists at the location."),
                       fields={"name": [_("This name is taken at the location.")]})


def _update(actor: Actor, obj: Room | Equipment, changes: dict[str, Any], action: str) -> None:
    _common.refuse_unknown(changes, _CHANGEABLE)
    before = snapshot(obj, RESOURCE_FIELDS)
    if "name" in changes:
        obj.name = _common.text(changes["name"], "name", max_length=60)
    if "kind" in changes:
        obj.kind = _room_kind(changes["kind"]) if isinstance(obj, Room) else _equipment_kind(changes["kind"])
    if "active" in changes:
        obj.active = _common.flag(changes["active"])
    if "name" in changes:
        refuse = _refuse_duplicate_room if isinstance(obj, Room) else _refuse_duplicate_equipment
        refuse(obj.location_id, obj.name, exclude=obj.pk)
    obj.save()
    detail = diff(before, snapshot(obj, RESOURCE_FIELDS))
    if detail:
        record(actor, action, obj, detail={"changes": detail})


def _deactivate(actor: Actor, obj: Model, action: str) -> None:
    if getattr(obj, "active", False):
        obj.active = False  # type: ignore[attr-defined]
        obj.save(update_fields=["active"])
        record(actor, action, obj, detail={"changes": {"active": [True, False]}})


def _locked_room(actor: Actor, room_id: int) -> Room:
    room = Room.objects.select_for_update().filter(pk=room_id).first()
    if room is None:
        raise NotFound()
    require(actor, Perm.PRACTICE_ADMIN, location=room.location_id)
    return room


def _locked_equipment(actor: Actor, equipment_id: int) -> Equipment:
    item = Equipment.objects.select_for_update().filter(pk=equipment_id).first()
    if item is None:
        raise NotFound()
    require(actor, Perm.PRACTICE_ADMIN, location=item.location_id)
    return item


@atomic_service
def room_create(*, actor: Actor, location_id: int, name: str, kind: str = Room.Kind.EXAM) -> Room:
    require(actor, Perm.PRACTICE_ADMIN, location=location_id)
    kind = _room_kind(kind)
    name = _common.text(name, "name", max_length=60)
    _active_location(location_id)
    _refuse_duplicate_room(location_id, name)
    room = Room.objects.create(location_id=location_id, name=name, kind=kind)
    record(actor, "room.create", room, detail={"changes": diff({}, snapshot(room, RESOURCE_FIELDS))})
    return room


@atomic_service
def room_update(*, actor: Actor, room_id: int, **changes: Any) -> Room:
    """Rename a room, change its kind, or reactivate it (`active=True`). The name is unique at the location."""
    require(actor, Perm.PRACTICE_ADMIN)
    room = _locked_room(actor, room_id)
    _update(actor, room, changes, "room.update")
    return room


@atomic_service
def room_deactivate(*, actor: Actor, room_id: int) -> Room:
    """Take a room out of use: booking no longer picks it; appointments that hold it keep it."""
    require(actor, Perm.PRACTICE_ADMIN)
    room = _locked_room(actor, room_id)
    _deactivate(actor, room, "room.deactivate")
    return room


@atomic_service
def equipment_create(*, actor: Actor, location_id: int, name: str, kind: str) -> Equipment:
    require(actor, Perm.PRACTICE_ADMIN, location=location_id)
    kind = _equipment_kind(kind)
    name = _common.text(name, "name", max_length=60)
    _active_location(location_id)
    _refuse_duplicate_equipment(location_id, name)
    item = Equipment.objects.create(location_id=location_id, name=name, kind=kind)
    record(actor, "equipment.create", item, detail={"changes": diff({}, snapshot(item, RESOURCE_FIELDS))})
    return item


@atomic_service
def equipment_update(*, actor: Actor, equipment_id: int, **changes: Any) -> Equipment:
    """Rename a piece of equipment, change its kind, or reactivate it (`active=True`); names unique per location."""
    require(actor, Perm.PRACTICE_ADMIN)
    item = _locked_equipment(actor, equipment_id)
    _update(actor, item, changes, "equipment.update")
    return item


@atomic_service
def equipment_deactivate(*, actor: Actor, equipment_id: int) -> Equipment:
    require(actor, Perm.PRACTICE_ADMIN)
    item = _locked_equipment(actor, equipment_id)
    _deactivate(actor, item, "equipment.deactivate")
    return item
