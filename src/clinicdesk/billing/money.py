"""Parsing money that people type: Decimal with two places, never float."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from clinicdesk.core.exceptions import ValidationFailed

CENT = Decimal("0.01")
_GROUPED = re.compile(r"^-?\d{1,3}(,\d{3})+(\.\d*)?$")  # commas only between groups of three digits
MAX_AMOUNT = Decimal("99999.99")
NO_BREAK_SPACE = "\u00a0"


def parse_amount(value: Any, *, field: str = "amount", allow_negative: bool = False) -> Decimal:
    """'25', '$1,025.50', Decimal('3.1') -> Decimal with two places; refuses blanks, words, NaN, zero,
    more than two decimals, a comma that does not separate thousands ('25,00'), and negatives (unless
    `allow_negative`, for adjustments)."""
    if isinstance(value, float):
        raise ValidationFailed("bad-amount", _("Amounts are exact: give them as text or Decimal."),
                               fields={field: [_("Enter an amount like 25.00.")]})
    text = str(value if value is not None else "").strip().replace("$", "")
    try:
        if "," in text and not _GROUPED.match(text):  # "25,00" is a decimal comma, not 2,500: refuse, never guess
            raise InvalidOperation(text)
        amount = Decimal(text.replace(",", ""))
    except InvalidOperation as exc:
        raise ValidationFailed("bad-amount", _("'%(value)s' is not an amount. Enter an amount like 25.00.")
                               % {"value": str(value)[:20]},
                               fields={field: [_("Enter an amount like 25.00.")]}) from exc
    if not amount.is_finite():
        raise ValidationFailed("bad-amount", _("Enter an amount like 25.00."),
                               fields={field: [_("Enter an amount like 25.00.")]})
    if amount.as_tuple().exponent < -2 and amount != amount.quantize(CENT, rounding=ROUND_HALF_UP):  # type: ignore[operator]
        raise ValidationFailed("bad-amount", _("An amount has at most two decimal places."),
                               fields={field: [_("At most two decimal places.")]})
    amount = amount.quantize(CENT)
    if amount < 0 and not allow_negative:
        raise ValidationFailed("negative-amount", _("The amount cannot be negative."),
                               fields={field: [_("Enter a positive amount.")]})
    if amount == 0:
        raise ValidationFailed("zero-amount", _("The amount cannot be zero."),
                               fields={field: [_("Enter an amount above zero.")]})
    if abs(amount) > MAX_AMOUNT:
        raise ValidationFailed("amount-too-large", _("The amount is too large."),
                               fields={field: [_("At most 99,999.99.")]})
    return amount


def format_money(value: Any, *, signed: bool = False) -> str:
    """Money as people write it, in the active language: '$1,025.50', '1.025,50 US$'; a negative amount (what
    the practice owes the patient) is a credit, '$25.00 credit' / 'crédito de 25,00 US$', never '$-25.00'.
    `signed` (the drawer's net, money in or out) writes '-$25.00' instead. Blank for no value. The one
    formatter: templates use the `money` filter (billing/templatetags/money.py), receipts, messages and the
    purchase order's PDF call it."""
    from django.utils.formats import number_format

    if value is None or value == "":
        return ""
    try:
        amount = Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)
    except InvalidOperation:
        return str(value)
    # A no-break space where the language puts one between the number and the currency ('1 025,50 US$'): a
    # narrow column wraps the amount as a whole, never between the figure and its "US$".
    text = _("$%(number)s").replace(" ", NO_BREAK_SPACE) % {
        "number": number_format(abs(amount), 2, use_l10n=True, force_grouping=True)}
    if amount < 0:
        return f"-{text}" if signed else _("%(amount)s credit") % {"amount": text}
    return text
