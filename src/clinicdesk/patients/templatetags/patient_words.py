"""Words for the codes a chart's change history stores: the field's label and a value in the user's language
(`{{ c.field|change_field }}`, `{{ c.new_value|change_value:c.field }}`), never `preferred_language` or `True`."""

from __future__ import annotations

from django import template
from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import gettext as _

from ..forms import LANGUAGE_CHOICES
from ..models import Patient

register = template.Library()


@register.filter
def change_field(name: str) -> str:
    try:
        label = str(Patient._meta.get_field(name).verbose_name)
    except FieldDoesNotExist:
        return name.replace("_", " ").capitalize()
    return label[:1].upper() + label[1:]


@register.filter
def change_value(value: str, name: str) -> str:
    if value in ("", None):
        return "—"
    if value in ("True", "False"):
        return _("Yes") if value == "True" else _("No")
    if name == "preferred_language":
        return str(dict(LANGUAGE_CHOICES).get(value, value))
    try:
        choices = Patient._meta.get_field(name).choices
    except FieldDoesNotExist:
        choices = None
    if choices:
        return str(dict(choices).get(value, value))
    return value
