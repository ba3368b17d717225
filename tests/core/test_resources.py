"""The API resource kit (core/resources.py): strict members, null handling, and a schema from the same fields."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest

from clinicdesk.core.exceptions import ValidationFailed
from clinicdesk.core.resources import ApiField, ApiResource

F = ApiField
THING = ApiResource(
    path="things", schema="Thing", tag="test", noun="thing",
    fields=(F.ident(), F.ref("location", required=True, create_only=True), F.text("name", required=True, max_length=5),
            F.integer("minutes", minimum=5, maximum=480), F.flag("active", read_only=True),
            F.date("until", nullable=True), F.decimal("copay"), F.choices_list("kinds", ["a", "b"]),
            F.time("opens")),
    list=lambda actor, include: [], read=lambda actor, pk: None,
    create=lambda actor, values: values, update=lambda actor, pk, values: values,
)


def _refused(data: dict[str, Any], *, creating: bool = True) -> ValidationFailed:
    with pytest.raises(ValidationFailed) as caught:
        THING.values({"location": 1, "name": "x", **data}, creating=creating)
    return caught.value


@pytest.mark.parametrize(("member", "value"), [
    ("location", "1"), ("location", 1.5), ("location", True), ("location", 0), ("name", 5), ("name", "x\x00"),
    ("name", "toolong"), ("minutes", 4), ("minutes", "30"), ("until", "2026-13-01"), ("copay", 25.0),
    ("copay", "25.001"), ("kinds", ["c"]), ("kinds", "a"), ("opens", "09:00+01:00"), ("opens", "25:00"),
])
def test_resource_member_of_the_wrong_kind_is_refused_naming_it(member: str, value: Any) -> None:
    error = _refused({member: value})
    assert error.status == 422 and member in (error.fields or {})


def test_resource_values_are_parsed_to_python_under_the_attribute_name() -> None:
    values = THING.values({"location": 3, "name": " Ann ", "minutes": 30, "until": "2026-12-31", "copay": "25.00",
                           "kinds": ["b", "a", "b"], "opens": "08:30", "active": False, "id": 9, "other": 1},
                          creating=True)
    assert values == {"location_id": 3, "name": " Ann ", "minutes": 30, "until": dt.date(2026, 12, 31),
                      "copay": Decimal("25.00"), "kinds": ["b", "a"], "opens": dt.time(8, 30)}


def test_resource_create_needs_the_required_members() -> None:
    with pytest.raises(ValidationFailed) as caught:
        THING.values({"name": "x"}, creating=True)
    assert "location" in (caught.value.fields or {})


def test_resource_update_takes_only_members_sent_and_null_clears_only_nullable_ones() -> None:
    assert THING.values({"location": 5, "minutes": None, "until": None}, creating=False) == {"until": None}


def test_resource_output_reads_every_field() -> None:
    record = SimpleNamespace(pk=7, location_id=3, name="Ann", minutes=30, active=True, until=None,
                             copay=Decimal("5"), kinds=["a"], opens=dt.time(9))
    assert THING.as_json(record) == {"id": 7, "location": 3, "name": "Ann", "minutes": 30, "active": True,
                                     "until": None, "copay": "5.00", "kinds": ["a"], "opens": "09:00"}


def test_resource_schema_comes_from_the_same_fields() -> None:
    schemas = THING.openapi_schemas()
    create, update = schemas["ThingCreate"], schemas["ThingUpdate"]
    assert create["required"] == ["location", "name"]
    assert "id" not in create["properties"] and "active" not in create["properties"]
    assert "location" not in update["properties"]  # given on create only
    assert schemas["Thing"]["properties"]["name"]["maxLength"] == 5
    assert schemas["Thing"]["properties"]["until"] == {"oneOf": [{"type": "string", "format": "date"},
                                                                 {"type": "null"}]}


def test_a_date_time_member_is_the_same_instant_in_utc_whatever_its_offset() -> None:
    """Python reads offsets up to ±23:59 and PostgreSQL stores only ±15:59 (schemathesis found the 500 on
    POST /api/v1/availability-exceptions): every date-time member arrives in UTC."""
    moment = ApiField.datetime("end")._parse_datetime("6477-12-08T05:52:33.3-23:00")
    assert moment.utcoffset() == dt.timedelta(0)
    assert moment == dt.datetime(6477, 12, 9, 4, 52, 33, 300000, tzinfo=dt.UTC)
