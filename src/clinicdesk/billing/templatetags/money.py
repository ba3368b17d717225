"""`{% load money %}` … `{{ amount|money }}`: every amount on a page, formatted by billing.money.format_money."""

from __future__ import annotations

from typing import Any

from django import template

from clinicdesk.billing.money import format_money

register = template.Library()


@register.filter(name="money")
def money(value: Any, style: str = "") -> str:
    """`{{ x|money }}`: a negative amount is a credit; `{{ x|money:"signed" }}`: money in or out, '-$5.00'."""
    return format_money(value, signed=style == "signed")
