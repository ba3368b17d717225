"""Search parameters: which ones each resource takes (the CapabilityStatement is built from the same
table), parsing of prefixes and dates, paging. An unknown parameter or modifier is a 400 naming it."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from .errors import FhirError
from .validation import refuse_oversize

DEFAULT_COUNT = 20
MAX_COUNT = 100
# Parameters every search takes; _format and _pretty are presentation only.
COMMON = {"_count", "_offset", "_include", "_format", "_pretty", "_total", "_elements"}
PREFIXES = ("eq", "ne", "lt", "gt", "le", "ge", "sa", "eb")
_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2})"
                   r"(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?)?)?$")


@dataclass(frozen=True)
class Param:
    name: str
    type: str  # string, token, date, reference, number, special
    doc: str
    modifiers: tuple[str, ...] = ()
    multiple_ok: bool = False


@dataclass
class Query:
    resource_type: str
    values: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # name -> [(modifier, value)]
    count: int = DEFAULT_COUNT
    offset: int = 0
    include: list[str] = field(default_factory=list)
    raw: list[tuple[str, str]] = field(default_factory=list)

    def first(self, name: str) -> str | None:
        items = self.values.get(name)
        return items[0][1] if items else None

    def all(self, name: str) -> list[tuple[str, str]]:
        return self.values.get(name, [])


def parse(resource_type: str, items: list[tuple[str, str]], params: dict[str, Param],
          includes: tuple[str, ...] = ()) -> Query:
    query = Query(resource_type)
    for key, value in items:
        if "\x00" in key or "\x00" in value:  # no database searches text with a NUL (PostgreSQL refuses it)
            raise FhirError(400, "invalid", f"Search parameter '{key.replace(chr(0), '')}' contains a NUL "
                            "character.", expression=[key.replace("\x00", "")])
        refuse_oversize(key, "parameter name")
        refuse_oversize(value, key)
        name, _sep, modifier = key.partition(":")
        if name in ("_format", "_pretty", "_total", "_elements"):
            continue
        query.raw.append((key, value))
        if name == "_count":
            query.count = _int(key, value, 0, MAX_COUNT)
            continue
        if name == "_offset":
            query.offset = _int(key, value, 0, 10**9)
            continue
        if name == "_include":
            if value not in includes:
                raise FhirError(400, "not-supported", f"_include={value} is not supported for {resource_type}"
                                f" (supported: {', '.join(includes) or 'none'}).", expression=["_include"])
            query.include.append(value)
            continue
        param = params.get(name)
        if param is None:
            raise FhirError(400, "not-supported", f"Search parameter '{name}' is not supported for "
                            f"{resource_type}. Supported: {', '.join(sorted(params))}.", expression=[name])
        if modifier and modifier not in param.modifiers:
            raise FhirError(400, "not-supported", f"Modifier ':{modifier}' is not supported on '{name}'.",
                            expression=[key])
        if value == "":
            raise FhirError(400, "invalid", f"Search parameter '{name}' has no value.", expression=[name])
        query.values.setdefault(name, []).append((modifier, value))
    return query


def _int(name: str, value: str, low: int, high: int) -> int:
    try:
        number = int(value)
    except ValueError as exc:
        raise FhirError(400, "invalid", f"{name} must be a whole number.", expression=[name]) from exc
    if not low <= number <= high:
        raise FhirError(400, "invalid", f"{name} must be between {low} and {high}.", expression=[name])
    return number


@dataclass(frozen=True)
class DateRange:
    prefix: str
    low: dt.datetime  # inclusive
    high: dt.datetime  # exclusive

    @property
    def low_date(self) -> dt.date:
        return self.low.date()

    @property
    def high_date(self) -> dt.date:
        return self.high.date()


def parse_date(name: str, text: str, *, tz: dt.tzinfo = dt.UTC) -> DateRange:
    """'ge2026-11-24', '1980', '2026-11-24T09:00:00-05:00' -> prefix and the [low, high) it stands for."""
    prefix = "eq"
    if text[:2] in PREFIXES:
        prefix, text = text[:2], text[2:]
    elif text[:2].isalpha():
        raise FhirError(400, "invalid", f"{name}: unknown prefix '{text[:2]}'.", expression=[name])
    match = _DATE.match(text)
    if not match:
        raise FhirError(400, "invalid", f"{name}: '{text}' is not a FHIR date or dateTime.", expression=[name])
    year, month, day, hour, minute, second, zone = match.groups()
    try:
        if hour is not None:
            zone_info = dt.UTC if zone in (None, "Z") else dt.datetime.strptime(zone, "%z").tzinfo
            low = dt.datetime(int(year), int(month), int(day), int(hour), int(minute), int(second or 0),
                              tzinfo=zone_info or tz)
            high = low + dt.timedelta(seconds=1)
        elif day is not None:
            low = dt.datetime(int(year), int(month), int(day), tzinfo=tz)
            high = low + dt.timedelta(days=1)
        elif month is not None:
            low = dt.datetime(int(year), int(month), 1, tzinfo=tz)
            high = dt.datetime(int(year) + (int(month) == 12), int(month) % 12 + 1, 1, tzinfo=tz)
        else:
            low = dt.datetime(int(year), 1, 1, tzinfo=tz)
            high = dt.datetime(int(year) + 1, 1, 1, tzinfo=tz)
        low.astimezone(dt.UTC), high.astimezone(dt.UTC)  # the database compares in UTC: it must exist there
    except (ValueError, OverflowError) as exc:  # 2026-02-30; 9999-12-31 (no next day); 0001-01-01T00:00+14:00
        raise FhirError(400, "invalid", f"{name}: '{text}' is not a valid date (years 1 to 9999).",
                        expression=[name]) from exc
    return DateRange(prefix, low, high)


def date_bounds(ranges: list[DateRange]) -> tuple[dt.datetime | None, dt.datetime | None, list[DateRange]]:
    """Fold ge/gt/le/lt/eq into one [low, high) window; `ne` ranges are returned to exclude."""
    low: dt.datetime | None = None
    high: dt.datetime | None = None
    excluded = []
    for item in ranges:
        lo: dt.datetime | None
        hi: dt.datetime | None
        if item.prefix == "eq":
            lo, hi = item.low, item.high
        elif item.prefix in ("ge",):
            lo, hi = item.low, None
        elif item.prefix in ("gt", "sa"):
            lo, hi = item.high, None
        elif item.prefix in ("le",):
            lo, hi = None, item.high
        elif item.prefix in ("lt", "eb"):
            lo, hi = None, item.low
        else:  # ne
            excluded.append(item)
            continue
        if lo is not None:
            low = lo if low is None else max(low, lo)
        if hi is not None:
            high = hi if high is None else min(high, hi)
    return low, high, excluded


def token(value: str) -> tuple[str | None, str]:
    """'system|code' -> (system, code); 'code' -> (None, code)."""
    if "|" in value:
        system, _sep, code = value.partition("|")
        return system, code
    return None, value
