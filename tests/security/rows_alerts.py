"""Access-matrix rows for patient alerts, alert kinds and the desk-to-provider heads-up (#15). See matrix.py for
what a row means.

Patient alerts are set and ended by the desk (patient.write) and by clinicians (clinical.triage) at a chart in
their reach; billing, compliance and system administrators read them only (403 on writes). The chart's screens
look the chart up first, so every Uptown user gets 404 there (`outsider`). Alert kinds are practice configuration.
A heads-up is sent by the desk (frontdesk.operate) at the visit's location; only its recipient (the visit's
provider) sees and acknowledges it: anyone else asking about one gets 404, and the inbox tells non-providers to
stop polling (286)."""

from __future__ import annotations

from typing import Any

from .matrix import CLINICAL, DESK, PATIENT_READERS, PATIENT_WRITERS, PRACTICE_ADMINS, PROV, Row, api, page

ALERT_WRITERS = PATIENT_WRITERS | CLINICAL
CHART_FIRST = "the chart is looked up first: a chart of another location is missing for every Uptown user"


def _alert(w: Any) -> dict[str, Any]:
    return {"kind": str(w.behaviour_kind.pk), "reason": "Raised voice at the desk"}


ROWS: list[Row] = [
    # alerts on a chart (screens)
    page("GET", "/patients/{ana.pk}/alerts/new/", 200, ALERT_WRITERS, outsider=404, why=CHART_FIRST),
    page("POST", "/patients/{ana.pk}/alerts/new/", 302, ALERT_WRITERS, data=_alert, outsider=404, why=CHART_FIRST),
    page("GET", "/patients/alerts/{ana_alert.pk}/end/", 200, ALERT_WRITERS, outsider=404, why=CHART_FIRST),
    page("POST", "/patients/alerts/{ana_alert.pk}/end/", 302, ALERT_WRITERS, data=lambda w: {"reason": "Resolved"},
         outsider=404, why=CHART_FIRST),
    # alert kinds (configuration)
    page("GET", "/patients/alert-kinds/", 200, PRACTICE_ADMINS),
    page("GET", "/patients/alert-kinds/new/", 200, PRACTICE_ADMINS),
    page("POST", "/patients/alert-kinds/new/", 302, PRACTICE_ADMINS,
         data=lambda w: {"code": "wheelchair", "label_en": "Wheelchair", "label_es": "Silla de ruedas",
                         "severity": "info"}),
    page("GET", "/patients/alert-kinds/{alert_kind.pk}/", 200, PRACTICE_ADMINS),
    page("POST", "/patients/alert-kinds/{alert_kind.pk}/", 302, PRACTICE_ADMINS,
         data=lambda w: {"label_en": "Needs a hoist", "label_es": "Necesita grúa", "severity": "warning",
                         "active": "on"}),
    page("POST", "/patients/alert-kinds/{alert_kind.pk}/deactivate/", 302, PRACTICE_ADMINS),
    # the JSON API
    api("GET", "/api/v1/alert-kinds", 200, PRACTICE_ADMINS),
    api("POST", "/api/v1/alert-kinds", 201, PRACTICE_ADMINS,
        body=lambda w: {"code": "wheelchair", "labelEn": "Wheelchair", "labelEs": "Silla de ruedas"}),
    api("GET", "/api/v1/alert-kinds/{alert_kind.pk}", 200, PRACTICE_ADMINS),
    api("PATCH", "/api/v1/alert-kinds/{alert_kind.pk}", 200, PRACTICE_ADMINS, body=lambda w: {"labelEn": "Hoist"}),
    api("POST", "/api/v1/alert-kinds/{alert_kind.pk}/deactivate", 200, PRACTICE_ADMINS),
    api("GET", "/api/v1/patients/{ana.pk}/alerts", 200, PATIENT_READERS),
    api("POST", "/api/v1/patients/{ana.pk}/alerts", 201, ALERT_WRITERS,
        body=lambda w: {"kind": w.behaviour_kind.pk, "reason": "Raised voice at the desk"}),
    api("POST", "/api/v1/patient-alerts/{ana_alert.pk}/end", 200, ALERT_WRITERS, body=lambda w: {"reason": "Done"}),
    # the desk-to-provider heads-up
    page("GET", "/frontdesk/visits/{visit.pk}/heads-up", 200, DESK),
    page("POST", "/frontdesk/visits/{visit.pk}/heads-up", 302, DESK, data=lambda w: {"message": "Room 3: agitated"}),
    page("GET", "/frontdesk/patients/{visit.patient_id}/heads-up", 302, DESK),
    page("GET", "/frontdesk/heads-up/inbox", 200, frozenset({PROV}), denied=286, elsewhere=None,
         why="every user's own inbox; only providers receive heads-ups, the others are told to stop polling"),
    page("POST", "/frontdesk/heads-up/{headsup.pk}/acknowledge", 302, frozenset({PROV}), denied=404,
         elsewhere=None, outsider=404, why="only the recipient may acknowledge; to anyone else it does not exist"),
]


def objects(world: Any) -> dict[str, Any]:
    """An alert on Ana, a practice-defined alert kind and a heads-up about the checked-in visit, at Downtown."""
    from clinicdesk.frontdesk.headsup import headsup_send
    from clinicdesk.patients.models import AlertKind
    from clinicdesk.patients.services import alert_kind_create, patient_alert_add

    desk, admin = world.users["front_desk"], world.users["practice_coordinator"]
    latex = AlertKind.objects.get(code="latex-allergy")
    return {
        "behaviour_kind": AlertKind.objects.get(code="behaviour"),
        "ana_alert": patient_alert_add(actor=desk, patient_id=world.ana.pk, kind_id=latex.pk, reason="Hives in 2024"),
        "alert_kind": alert_kind_create(actor=admin, code="hoist", label_en="Hoist", label_es="Grúa"),
        "headsup": headsup_send(actor=desk, visit_id=world.visit.pk, message="The patient in room 3 is agitated"),
    }
