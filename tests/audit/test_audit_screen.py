"""The audit trail screen: find a patient's entries by MRN or name, read actions, roles and outcomes in words."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from clinicdesk.audit.labels import action_label
from clinicdesk.audit.services import REPAIR_ACTION, record
from clinicdesk.core.permissions import Role
from tests.factories import PatientFactory

SRC = Path(__file__).resolve().parents[2] / "src" / "clinicdesk"


@pytest.fixture
def trail(signed_in, location):
    """A clerk opened two charts; someone else was refused one."""
    clerk = signed_in(Role.FRONT_DESK, at=location)
    siobhan = PatientFactory(home_location=location, family_name="O'Brien", given_name="Siobhan")
    other = PatientFactory(home_location=location, family_name="Quintero", given_name="Ana")
    clerk.get(f"/patients/{siobhan.pk}/")
    clerk.get(f"/patients/{other.pk}/")
    record(None, "access.denied", outcome="denied", patient=siobhan.pk, resource_type="patient",
           resource_id=siobhan.pk)
    return clerk, siobhan, other


def _rows(response) -> list[str]:
    body = response.content.decode()
    table = body[body.index('id="audit-rows"'):]
    return re.findall(r"<tr class=\"(?:allowed|denied)\">(.*?)</tr>", table, re.S)


def test_filter_by_mrn_shows_only_that_patients_entries(signed_in, trail):
    _clerk, siobhan, other = trail
    officer = signed_in(Role.COMPLIANCE)
    response = officer.post("/audit/", {"patient": siobhan.mrn})
    rows = _rows(response)
    assert response.status_code == 200 and len(rows) == 2
    assert all(siobhan.mrn in row for row in rows) and not any(other.mrn in row for row in rows)
    assert f"O&#x27;Brien, Siobhan ({siobhan.mrn})" in response.content.decode()  # "Entries about: …"


def test_filter_by_a_name_search_finds_the_patient_as_the_desk_does(signed_in, trail):
    _clerk, siobhan, _other = trail
    officer = signed_in(Role.COMPLIANCE)
    for query in ("o'brien", "O\u2019Brien", "obrien siobhan"):
        rows = _rows(officer.post("/audit/", {"patient": query}))
        assert len(rows) == 2 and all(siobhan.mrn in row for row in rows), query


def test_a_search_that_matches_nobody_lists_nothing_and_says_so(signed_in, trail):
    response = signed_in(Role.COMPLIANCE).post("/audit/", {"patient": "Zzyzx"})
    assert _rows(response) == [] and b"No patient matches that search." in response.content


def test_actions_roles_and_outcomes_are_words_not_codes(signed_in, trail):
    officer = signed_in(Role.COMPLIANCE)
    body = officer.get("/audit/").content.decode()
    table = body[body.index('id="audit-rows"'):]
    for words in ("Patient chart opened", "Front desk", "Allowed", "Access refused", "Refused"):
        assert f"<td>{words}</td>" in table, words
    for code in ("patient.read", "front_desk", "access.denied", ">allowed<", ">denied<"):
        assert code not in table, code
    assert "<td>patient " not in table  # no "patient 12" resource column: the patient column names the chart


def test_the_screen_speaks_spanish(signed_in, trail):
    officer = signed_in(Role.COMPLIANCE, language="es")  # each user's language is in their profile
    body = officer.get("/audit/").content.decode()
    table = body[body.index('id="audit-rows"'):]
    for words in ("Expediente del paciente abierto", "Recepción", "Permitido", "Acceso denegado", "Denegado"):
        assert f"<td>{words}</td>" in table, words


def test_the_action_filter_offers_words_and_matches_exactly(signed_in, trail):
    officer = signed_in(Role.COMPLIANCE)
    form = officer.get("/audit/").content.decode()
    assert '<option value="patient.read">Patient chart opened</option>' in form
    rows = _rows(officer.post("/audit/", {"action": "access.denied"}))
    assert len(rows) == 1 and "Access refused" in rows[0]


def test_the_audit_app_reads_no_other_apps_models_for_its_form():
    source = (SRC / "audit" / "forms.py").read_text()
    assert "accounts" not in source and "patients.models" not in source


# --- every recorded action has words -------------------------------------------------------------------

def _built_codes() -> set[str]:
    """Every code that record() calls build at run time (f-strings): the parts they are built from."""
    from clinicdesk.frontdesk.models import VisitStatus
    from clinicdesk.interop.fhir.handlers import HANDLERS

    moves = {move for path in (SRC / "scheduling").rglob("*.py")
             for move in re.findall(r'_transition\([^)]*action="([a-z_-]+)"', path.read_text())}
    fhir = {f"fhir.{interaction}.{kind}" for kind in HANDLERS
            for interaction in ("search", "create", "read", "update", "vread", "history")}
    return ({f"appointment.{move}" for move in moves} | {f"visit.{status}" for status in VisitStatus.values}
            | fhir | {f"fhir.create.{kind}.exists" for kind in HANDLERS})


def _pattern(template: ast.JoinedStr) -> re.Pattern[str]:
    parts = [re.escape(part.value) if isinstance(part, ast.Constant) else r"[A-Za-z_-]+"
             for part in template.values]
    return re.compile("".join(parts))


# Functions that pass their `action` argument on to record(): their callers' codes are recorded codes.
# {function: position of the action argument}
FORWARDERS = {"record": 1, "_audit_patients": 1, "_audit": 1, "record_shown": 1, "_set_status": 2, "_update": 3,
              "_deactivate": 2}
# Call sites whose action is a name forwarded from a caller that is itself checked here.
FORWARDED = {"action", "REPAIR_ACTION"}


def _recorded_codes() -> tuple[set[str], list[tuple[str, str]]]:
    constants: set[str] = set()
    unknown: list[tuple[str, str]] = []
    built = _built_codes()
    for path in SRC.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            owner = getattr(getattr(node.func, "value", None), "id", "")
            if name not in FORWARDERS or len(node.args) <= FORWARDERS[name] or owner == "versions":
                continue  # (versions.record: FHIR's version store, not the audit trail)
            argument = node.args[FORWARDERS[name]]
            if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
                constants.add(argument.value)
            elif isinstance(argument, ast.JoinedStr) and (made := {c for c in built
                                                                   if _pattern(argument).fullmatch(c)}):
                constants |= made
            elif ast.unparse(argument) not in FORWARDED:
                unknown.append((path.relative_to(SRC).as_posix(), ast.unparse(argument)))
    return constants, unknown


def test_every_recorded_action_has_words():
    codes, unknown = _recorded_codes()
    assert not unknown, f"record() with an action this test cannot enumerate; add it to _dynamic_codes: {unknown}"
    assert len(codes) > 150  # the scan found the call sites (including every FHIR interaction)
    assert {"auth.login", "visit.checked-in", "appointment.cancel", "fhir.read.Patient", "fhir.create.Patient.exists",
            "arrivals.list", "patient.deceased"} <= codes
    codes.add(REPAIR_ACTION)  # recorded through a name
    missing = sorted(code for code in codes if action_label(code) is None)
    assert not missing, f"actions recorded without words in audit/labels.py: {missing}"
