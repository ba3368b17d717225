"""Writes to the practice set-up: the organization, locations and their hours, practitioners, rooms, equipment.
Practice administrators only (Perm.PRACTICE_ADMIN, at the record's location where it has one); every write is
audited with what it changed (core.changes)."""

from .locations import (
    LOCATION_FIELDS,
    hours_snapshot,
    location_create,
    location_deactivate,
    location_hours_set,
    location_update,
)
from .organization import ORGANIZATION_FIELDS, organization_update, tax_id_clean
from .practitioners import (
    practitioner_create,
    practitioner_deactivate,
    practitioner_set_locations,
    practitioner_update,
)
from .resources import (
    RESOURCE_FIELDS,
    equipment_create,
    equipment_deactivate,
    equipment_update,
    room_create,
    room_deactivate,
    room_update,
)

__all__ = [
    "LOCATION_FIELDS", "ORGANIZATION_FIELDS", "RESOURCE_FIELDS", "equipment_create", "equipment_deactivate",
    "equipment_update", "hours_snapshot", "location_create", "location_deactivate", "location_hours_set",
    "location_update", "organization_update", "practitioner_create", "practitioner_deactivate",
    "practitioner_set_locations", "practitioner_update", "room_create", "room_deactivate", "room_update",
    "tax_id_clean",
]
