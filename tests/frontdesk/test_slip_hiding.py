"""A triage slip of another location answers exactly as a slip that does not exist (404), for everyone who may
work slips; a role that may not answer or close slips at all is refused (403) whether or not the slip exists."""

from __future__ import annotations

import pytest

from clinicdesk.core.permissions import ROLE_PERMISSIONS, Perm, Role
from clinicdesk.frontdesk.models import SlipStatus, TriageSlip
from clinicdesk.frontdesk.services import call_record, slip_answer

ACTIONS = {"answer": Perm.CLINICAL_TRIAGE, "close": Perm.FRONTDESK}


@pytest.fixture
def slips(clerk, doctor_user, location, patient, clock):
    def make(answered: bool) -> TriageSlip:
        slip = call_record(actor=clerk, location_id=location.pk, caller_name="Ana", caller_phone="413-555-0101",
                           patient_id=patient.pk, reason="clinical", disposition="triage", question="Rash",
                           priority="same-day", assignee_id=doctor_user.pk).slip
        if answered:
            slip_answer(actor=doctor_user, slip_id=slip.pk, response="Come in today.")
        return slip

    return {"answer": make(False), "close": make(True)}


@pytest.mark.parametrize("action", list(ACTIONS))
@pytest.mark.parametrize("role", [Role.PROVIDER, Role.NURSE, Role.FRONT_DESK, Role.PATIENT_COORDINATOR,
                                  Role.BILLING], ids=lambda r: r.value)
def test_a_slip_elsewhere_answers_like_a_missing_one(signed_in, other_location, slips, role, action):
    client = signed_in(role, at=other_location)
    slip = slips[action]
    there = client.post(f"/frontdesk/slips/{slip.pk}/{action}", {"response": "Stop it"})
    missing = client.post(f"/frontdesk/slips/{slip.pk + 1000}/{action}", {"response": "Stop it"})
    expected = 404 if ACTIONS[action] in ROLE_PERMISSIONS[role] else 403
    assert (there.status_code, missing.status_code) == (expected, expected)
    slip.refresh_from_db()
    assert slip.status == (SlipStatus.OPEN if action == "answer" else SlipStatus.ANSWERED)  # untouched


def test_at_the_slips_location_a_missing_slip_is_404_and_a_real_one_is_worked(signed_in, location, slips):
    nurse = signed_in(Role.NURSE, at=location)
    assert nurse.post(f"/frontdesk/slips/{slips['answer'].pk + 1000}/answer", {"response": "x"}).status_code == 404
    assert nurse.post(f"/frontdesk/slips/{slips['answer'].pk}/answer", {"response": "Rest"}).status_code == 302
    assert TriageSlip.objects.get(pk=slips["answer"].pk).status == SlipStatus.ANSWERED
