"""Small filters for the referral and authorization screens: status pill colours (the appointment status tokens
of the same meaning, no new colours) and a dict lookup."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()

AUTH_PILL = {"requested": "booked", "approved": "fulfilled", "partial": "pending", "denied": "cancelled",
             "expired": "noshow"}
OUTGOING_PILL = {"sent": "booked", "received": "pending", "scheduled": "arrived", "seen": "fulfilled",
                 "closed": "proposed"}


@register.filter
def auth_pill(status: str) -> str:
    return AUTH_PILL.get(status, "pending")


@register.filter
def outgoing_pill(status: str) -> str:
    return OUTGOING_PILL.get(status, "pending")


@register.filter
def get_item(mapping: dict[Any, Any], key: Any) -> Any:
    return mapping.get(key) if isinstance(mapping, dict) else None
