"""Inbound resources: JSON, then the R4 structure (fhir.resources R4B models, which match R4 for every
resource served here), then references. Nothing is written before this passes."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from fhir.resources.R4B import get_fhir_model_class
from pydantic import ValidationError

from .errors import FhirError, issue

MAX_ID = 2**63 - 1  # the largest primary key (BigAutoField)
# Size limits on everything that comes in, checked before any other work (refuse_oversize, parse_json): no
# element served here needs more; FHIR's own limit (1 MB per string) would let a client make every later step
# (validation, matching, the database, the audit trail) carry megabytes.
# A request body (one resource, a Parameters, a patch), checked before it is read or parsed: below Django's own
# limit (2.5 MB, which answers without an OperationOutcome), and high enough that an oversize string in a body
# is refused by name (refuse_oversize) rather than as "too large".
MAX_BODY_BYTES = 2 * 1024 * 1024
MAX_STRING = 1024  # characters in any string of a resource, a search or operation parameter, or a header
LONG_ELEMENTS = frozenset({"div", "data"})  # narrative XHTML and base64 attachments: the body limit only
REFERENCE = re.compile(r"^(?:https?://[^\s]+/)?([A-Z][A-Za-z]+)/([A-Za-z0-9\-.]{1,64})(?:/_history/[A-Za-z0-9\-.]{1,64})?$")


def refuse_large_body(size: int) -> None:
    if size > MAX_BODY_BYTES:
        raise FhirError(413, "too-long", f"The body is {size} bytes; at most {MAX_BODY_BYTES} are accepted.")


def parse_json(body: bytes) -> Any:
    refuse_large_body(len(body or b""))
    try:
        return json.loads(body or b"")
    except (ValueError, UnicodeDecodeError) as exc:
        raise FhirError(400, "structure", f"The body is not valid JSON: {exc}") from exc
    except RecursionError as exc:
        raise FhirError(400, "structure", "The body is not valid JSON: it nests too deeply.") from exc


def numeric_id(text: str) -> int | None:
    """The record id that an id or the id part of a reference names: ASCII digits within the primary-key
    range. None for anything else ('abc', '²', '1.5', a 30-digit number), which names no record."""
    if not (text.isascii() and text.isdigit()) or len(text) > 19:
        return None
    value = int(text)
    return value if value <= MAX_ID else None


def refuse_nul(values: Any, where: str, status: int = 400) -> None:
    """PostgreSQL stores no NUL character in text; one in a request is refused here, on every database
    (400 in parameters and headers, 422 in a resource)."""
    if isinstance(values, str):
        if "\x00" in values:
            raise FhirError(status, "invalid", f"{where}: contains a NUL character.", expression=[where])
    elif isinstance(values, dict):
        for key, value in values.items():
            refuse_nul(key, where, status)
            refuse_nul(value, f"{where}.{key}", status)
    elif isinstance(values, list | tuple):
        for index, value in enumerate(values):
            refuse_nul(value, f"{where}[{index}]", status)


def refuse_oversize(values: Any, where: str, status: int = 400) -> None:
    """The one size check on inbound text: any string longer than MAX_STRING characters (a key, a value, at
    any depth) is refused naming where it is (400 in parameters and headers, 422 in a resource)."""
    if isinstance(values, str):
        if len(values) > MAX_STRING:
            raise FhirError(status, "too-long", f"{where}: {len(values)} characters; at most {MAX_STRING} are "
                            "accepted.", expression=[where])
    elif isinstance(values, dict):
        for key, value in values.items():
            refuse_oversize(key, where, status)
            if key not in LONG_ELEMENTS:
                refuse_oversize(value, f"{where}.{key}", status)
    elif isinstance(values, list | tuple):
        for index, value in enumerate(values):
            refuse_oversize(value, f"{where}[{index}]", status)


def _location(loc: tuple[Any, ...]) -> str:
    parts: list[str] = []
    for item in loc:
        if isinstance(item, int):
            parts[-1:] = [f"{parts[-1]}[{item}]"] if parts else [f"[{item}]"]
        else:
            parts.append(str(item))
    return ".".join(parts)


def validate_resource(data: Any, expected: str | tuple[str, ...]) -> dict[str, Any]:
    """Validate `data` as an R4 resource of the expected type; returns it unchanged when valid."""
    types = (expected,) if isinstance(expected, str) else expected
    if not isinstance(data, dict):
        raise FhirError(400, "structure", "The body must be a JSON object (a FHIR resource).")
    resource_type = data.get("resourceType")
    if resource_type not in types:
        raise FhirError(400, "invalid", f"Expected resourceType {' or '.join(types)}, got {resource_type!r}.",
                        expression=["resourceType"])
    refuse_oversize(data, resource_type, 422)
    try:
        get_fhir_model_class(resource_type).model_validate(data)
    except ValidationError as exc:
        issues = []
        for error in exc.errors():
            where = f"{resource_type}.{_location(error['loc'])}" if error["loc"] else resource_type
            if error["type"] == "extra_forbidden":
                message = f"Unknown element '{where}'."
            else:
                message = f"{where}: {error['msg']}"
            issues.append(issue("structure" if error["type"] == "extra_forbidden" else "value", message,
                                expression=[where]))
        raise FhirError(422, "invalid", issues[0]["diagnostics"] if issues else "Invalid resource.",
                        issues=issues) from exc
    except (TypeError, ValueError, KeyError, AttributeError) as exc:
        # The models meet some shapes with a plain exception instead (a contained resource whose resourceType
        # is null: TypeError): still a resource that is not R4.
        raise FhirError(422, "invalid", f"{resource_type}: not a valid R4 resource ({type(exc).__name__}).") from exc
    refuse_nul(data, resource_type, 422)
    nulls = list(_nulls(data, resource_type))
    if nulls:  # FHIR JSON has no null: an empty element is left out (the models would read it as absent)
        issues = [issue("structure", f"{where}: null is not a value; leave the element out.", expression=[where])
                  for where in nulls]
        raise FhirError(422, "invalid", issues[0]["diagnostics"], issues=issues)
    bad = list(_bad_references(data, resource_type))
    if bad:
        issues = [issue("value", f"{where}: '{text}' is not a reference (Type/id).", expression=[where])
                  for where, text in bad]
        raise FhirError(422, "invalid", issues[0]["diagnostics"], issues=issues)
    return data


def _nulls(node: Any, where: str) -> Iterator[str]:
    """Every null in the resource, except in an array of primitives whose extensions (the `_name` sibling)
    fill the gap, as FHIR JSON allows."""
    if isinstance(node, dict):
        for key, value in node.items():
            path = f"{where}.{key}"
            if value is None:
                yield path
            elif isinstance(value, list):
                padded = (key[1:] if key.startswith("_") else f"_{key}") in node
                for index, item in enumerate(value):
                    if item is None and not padded:
                        yield f"{path}[{index}]"
                    else:
                        yield from _nulls(item, f"{path}[{index}]")
            else:
                yield from _nulls(value, path)
    elif isinstance(node, list):
        for index, item in enumerate(node):
            yield from _nulls(item, f"{where}[{index}]")


def _bad_references(node: Any, where: str) -> Iterator[tuple[str, str]]:
    """Every Reference.reference in the resource that is neither Type/id (relative or absolute), #contained,
    nor a urn:uuid."""
    if isinstance(node, dict):
        for key, value in node.items():
            path = f"{where}.{key}"
            if key == "reference" and isinstance(value, str):
                if not (REFERENCE.match(value) or value.startswith(("#", "urn:uuid:", "urn:oid:"))):
                    yield path, value
            else:
                yield from _bad_references(value, path)
    elif isinstance(node, list):
        for index, item in enumerate(node):
            yield from _bad_references(item, f"{where}[{index}]")


def reference(value: Any, expected: str | tuple[str, ...], where: str) -> str:
    """The id in a reference like 'Patient/123'; a bad or mistyped reference is a 422 naming `where`."""
    types = (expected,) if isinstance(expected, str) else expected
    text = value.get("reference", "") if isinstance(value, dict) else value
    match = REFERENCE.match(text or "") if isinstance(text, str) else None
    if not match or match.group(1) not in types:
        raise FhirError(422, "invalid", f"{where}: {text!r} is not a reference to {' or '.join(types)}.",
                        expression=[where])
    return match.group(2)
