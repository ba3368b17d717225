"""Who acts in the portal: a signed-in patient, possibly for a dependent (issue #23).

A `PatientActor` is a `SystemActor` (core's `Actor` type, which every service and selector accepts) holding only
what a patient may do for themselves. Being practice-wide for the schedule's own checks, it never reaches a chart by
itself: the portal's services prove first that the chart is the patient's own or an authorized dependent's
(`reach`), and answer 404 otherwise. The audit trail shows it as `patient:<id>` with the role `patient`; a proxy's
entries carry the dependent as the patient. The kiosk and payments will build it the same way (`method`).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

from clinicdesk.core.exceptions import NotFound
from clinicdesk.core.permissions import Perm, SystemActor

# What a patient may ask the schedule for (the search, booking, moving and cancelling their own visits, the
# waitlist); the portal's services narrow it to their own charts.
PATIENT_PERMS = frozenset({Perm.SCHEDULE_READ, Perm.SCHEDULE_WRITE})
IDLE_MINUTES: int = getattr(settings, "PORTAL_IDLE_MINUTES", 15)
COOKIE_NAME: str = getattr(settings, "PORTAL_SESSION_COOKIE", "clinicdesk_portal")


class PatientActor(SystemActor):
    def __init__(self, *, patient_id: int, dependent_ids: frozenset[int] = frozenset(), subject_id: int | None = None,
                 session_id: int | None = None, method: str = "email") -> None:
        super().__init__(f"patient-{patient_id}", PATIENT_PERMS)
        self.role = "patient"
        self.patient_id = patient_id
        self.dependent_ids = dependent_ids
        self.subject_id = subject_id or patient_id
        self.session_id = session_id
        self.method = method
        # Answers the portal's services need more than once while serving one request (each request builds its own
        # actor): the booking rule of a type, read by the options, the booking and the page around them.
        self.memo: dict[str, Any] = {}

    def get_username(self) -> str:
        return f"patient:{self.patient_id}"

    @property
    def reachable_ids(self) -> frozenset[int]:
        return frozenset({self.patient_id}) | self.dependent_ids

    @property
    def is_proxy(self) -> bool:
        return self.subject_id != self.patient_id

    def reach(self, patient_id: Any) -> int:
        """The patient id if this actor may act for it; NotFound otherwise (another patient looks missing)."""
        try:
            pid = int(patient_id)
        except (TypeError, ValueError):
            raise NotFound() from None
        if pid not in self.reachable_ids:
            raise NotFound()
        return pid

    def audit_detail(self, **extra: Any) -> dict[str, Any]:
        detail: dict[str, Any] = {"portal": True, **extra}
        if self.is_proxy:
            detail["proxy"] = self.patient_id
        return detail
