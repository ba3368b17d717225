"""OperationOutcome: the FHIR face of every error (DomainError from the services, or a FhirError raised
while parsing a request)."""

from __future__ import annotations

from typing import Any

from clinicdesk.core.exceptions import Conflict, DomainError, InvalidTransition, NotFound, PermissionDenied


class FhirError(Exception):
    """A request the FHIR layer refuses before any service runs."""

    def __init__(self, status: int, code: str, diagnostics: str, *, expression: list[str] | None = None,
                 issues: list[dict[str, Any]] | None = None) -> None:
        super().__init__(diagnostics)
        self.status = status
        self.code = code
        self.diagnostics = diagnostics
        self.expression = expression or []
        self.issues = issues or []


def outcome(issues: list[dict[str, Any]]) -> dict[str, Any]:
    return {"resourceType": "OperationOutcome", "issue": issues}


def issue(code: str, diagnostics: str, *, severity: str = "error", expression: list[str] | None = None,
          details: str = "") -> dict[str, Any]:
    item: dict[str, Any] = {"severity": severity, "code": code, "diagnostics": diagnostics}
    if details:
        item["details"] = {"coding": [{"system": "urn:clinicdesk:problem", "code": details}], "text": details}
    if expression:
        item["expression"] = expression
    return item


def _issue_code(error: DomainError) -> str:
    if isinstance(error, NotFound) or error.status == 404:
        return "not-found"
    if isinstance(error, PermissionDenied):
        return "forbidden"
    if isinstance(error, Conflict | InvalidTransition):
        return "conflict" if error.code in ("slot-taken",) or isinstance(error, Conflict) else "business-rule"
    return "invalid" if error.status in (400, 422) else "processing"


def from_domain(error: DomainError) -> tuple[int, dict[str, Any]]:
    code = "business-rule" if isinstance(error, InvalidTransition) else _issue_code(error)
    issues = [issue(code, error.detail, details=error.code)]
    for name, messages in (error.fields or {}).items():
        if name != "__all__":
            issues.append(issue("invalid", f"{name}: {' '.join(messages)}", expression=[name]))
    return error.status, outcome(issues)


def from_fhir(error: FhirError) -> tuple[int, dict[str, Any]]:
    issues = error.issues or [issue(error.code, error.diagnostics, expression=error.expression)]
    return error.status, outcome(issues)
