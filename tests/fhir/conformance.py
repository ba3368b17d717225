"""Conformance: every resource the server returns in the suite must be valid R4 (fhir.resources R4B
models, which match R4 for the resources served here)."""

from __future__ import annotations

from typing import Any

from fhir.resources.R4B import get_fhir_model_class


def collect_resources(body: Any, seen: list[dict[str, Any]]) -> None:
    if isinstance(body, dict) and "resourceType" in body:
        seen.append(body)
        for entry in body.get("entry", []) if body["resourceType"] == "Bundle" else []:
            collect_resources(entry.get("resource"), seen)


def validate_all(seen: list[dict[str, Any]]) -> None:
    problems = []
    for resource in seen:
        try:
            get_fhir_model_class(resource["resourceType"]).model_validate(resource)
        except Exception as exc:
            problems.append(f"{resource['resourceType']}/{resource.get('id')}: {exc}")
    assert not problems, "\n".join(problems)
