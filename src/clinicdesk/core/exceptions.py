"""One error hierarchy for every rule the services enforce.

Each error carries a stable machine `code`, a human `detail` and an HTTP status. One mapper
(`core.problems`) renders it as an HTML message, RFC 9457 problem details or, later, a FHIR
OperationOutcome.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext


class DomainError(Exception):
    status = 400
    title = "Request refused"

    def __init__(self, code: str, detail: str, *, fields: dict[str, list[str]] | None = None) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail
        self.fields = fields or {}
        # Audit entries (keyword arguments of audit.services.record) that must outlive the rollback: a refusal
        # that shows patient data (the charts a new registration resembles) is still a disclosure.
        self.audit_after_rollback: list[dict[str, Any]] = []

    def as_problem(self) -> dict[str, Any]:
        problem: dict[str, Any] = {
            "type": f"urn:clinicdesk:problem:{self.code}",
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
            "code": self.code,
        }
        if self.fields:
            problem["errors"] = self.fields
        return problem


class ValidationFailed(DomainError):
    status = 422
    title = "Invalid input"


class NotFound(DomainError):
    status = 404
    title = "Not found"

    def __init__(self, code: str = "not-found", detail: str | None = None, **kwargs: Any) -> None:
        super().__init__(code, detail if detail is not None else gettext("No such record."), **kwargs)


class PermissionDenied(DomainError):
    """Raised by `require`. Carries what was asked so the refusal can be audited."""

    status = 403
    title = "Not allowed"

    def __init__(
        self,
        code: str = "forbidden",
        detail: str | None = None,
        *,
        actor: Any = None,
        permission: str = "",
        resource_type: str = "",
        resource_id: str = "",
        patient_id: Any = None,
    ) -> None:
        super().__init__(code, detail if detail is not None else gettext("You do not have permission to do that."))
        self.actor = actor
        self.permission = permission
        self.resource_type = resource_type
        self.resource_id = resource_id
        self.patient_id = patient_id
        self.audited = False


class Conflict(DomainError):
    status = 409
    title = "Conflict"


class InvalidTransition(DomainError):
    status = 409
    title = "Not possible in this state"


class UnsupportedMediaType(DomainError):
    """A body in a format the endpoint does not read (e.g. a form sent to the JSON API)."""

    status = 415
    title = "Unsupported media type"


class AppendOnlyError(RuntimeError):
    """Code tried to change or delete a row of an append-only table (the audit trail, the ledger).

    Not a DomainError: no user input leads here, only a programming mistake; the database refuses the same
    change on PostgreSQL (core/append_only.py writes its triggers)."""


def validation_failed_from(error: Any, code: str = "invalid") -> ValidationFailed:
    """Turn a Django ValidationError (from full_clean or a form) into our ValidationFailed."""
    fields: dict[str, list[str]] = {}
    if hasattr(error, "message_dict"):
        fields = {name: [str(m) for m in messages] for name, messages in error.message_dict.items()}
    elif hasattr(error, "messages"):
        fields = {"__all__": [str(m) for m in error.messages]}
    detail = "; ".join(f"{name}: {' '.join(msgs)}" if name != "__all__" else " ".join(msgs)
                       for name, msgs in fields.items()) or str(error)
    return ValidationFailed(code, detail, fields=fields)
