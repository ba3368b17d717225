"""Words, numbers and dates for documents (PDF, CSV), in a reader's language, as the screens show them.

Screens get the user's language from the request (accounts' UserLanguageMiddleware) and format with Django's
`formats`; a document is made outside a template, sometimes after the view has returned (a streamed CSV), or for
someone else (a receipt is the patient's). These helpers give every document the same rules:

- `language_for(user)`: the reader's language (their preference; else the active language; else the default).
- `in_language(code)`: a context manager - words and formats of that language inside it (unknown: English).
- `streamed_in(rows, code)`: a streamed CSV's rows made in that language even after the view returned.
- `day_text`, `moment_text`, `number_text`, `yes_no`, `language_words`: one cell or line, in the active language
  ('11/24/2026' / '24/11/2026', '1,025' / '1.025', 'Yes' / 'Sí', 'Spanish' / 'español').
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import formats, translation
from django.utils.translation import gettext as _

T = TypeVar("T")


def known_language(code: str | None) -> str:
    """`code` ('es', 'es-mx') as one of the languages served ('es'), or the default (English)."""
    short = (code or "")[:2].lower()
    return short if short in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE[:2]


def language_for(user: Any) -> str:
    """The language a user reads: their preference, else the request's active language."""
    return known_language(getattr(user, "language", "") or translation.get_language())


def in_language(code: str | None) -> AbstractContextManager[None]:
    return translation.override(known_language(code))


def streamed_in(rows: Iterable[T], code: str | None) -> Iterator[T]:
    """Yield `rows` with `code` active while each is made: a StreamingHttpResponse is read after the view (and
    the middleware that chose the user's language) has returned."""
    language = known_language(code)
    iterator = iter(rows)
    while True:
        with translation.override(language):
            try:
                row = next(iterator)
            except StopIteration:
                return
        yield row


def day_text(day: dt.date | None) -> str:
    """A date as the active language writes it short: 11/24/2026 (English), 24/11/2026 (Spanish)."""
    return formats.date_format(day, "SHORT_DATE_FORMAT") if day else ""


def moment_text(moment: dt.datetime | None, tz: str | dt.tzinfo | None = None, *, zone_name: bool = False) -> str:
    """An instant in `tz` (a zone name or ZoneInfo; default as given), short date and time - with the zone's
    abbreviation when `zone_name`: '11/24/2026 9 a.m. EST' / '24/11/2026 09:00 EST'."""
    if moment is None:
        return ""
    zone = ZoneInfo(tz) if isinstance(tz, str) else tz
    local = moment.astimezone(zone) if zone is not None else moment
    text = formats.date_format(local, "SHORT_DATETIME_FORMAT")
    return f"{text} {local.tzname()}" if zone_name and local.tzname() else text


def number_text(value: Any, decimals: int | None = None) -> str:
    return formats.number_format(value, decimals, use_l10n=True, force_grouping=True)


def yes_no(value: bool) -> str:
    return _("Yes") if value else _("No")


def language_words(code: str | None) -> str:
    """A language code ('en', 'es', 'vi') as its name in the active language ('English', 'inglés'); an unknown
    code as it is."""
    if not code:
        return ""
    try:
        return str(translation.get_language_info(code).get("name_translated") or code)
    except KeyError:
        return code
