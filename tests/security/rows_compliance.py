"""Access-matrix rows for the compliance app. See matrix.py for what a row means.

Who: every staff member who reports (compliance.report: everyone but the system administrator) reports an
incident and logs a complaint at their own locations; the practice coordinator and the compliance officer
(compliance.admin, practice-wide) see the dashboard and the lists, review incidents, work grievances, rights
requests, disclosures and breaches. Pages that work at one location are asked with ?location=<Downtown>: a user of
another location gets 404 for the location before any permission (`outsider`). An incident, complaint, request or
breach is hidden (404) from anyone who may not work it."""

from __future__ import annotations

from typing import Any

from .matrix import ADMIN, COMP, PRC, Row, api, page
from .matrix import EVERYONE as _EVERYONE

REPORTERS = _EVERYONE - {ADMIN}
ADMINS = frozenset({PRC, COMP})
C = "/compliance"
AT = "?location={home.pk}"
HIDDEN = {"denied": 404}  # the record answers like a missing one to a caller who may not work it


def _at(w: Any, **data: Any) -> dict[str, Any]:
    return {"location": str(w.home.pk), **data}


def _incident(w: Any) -> dict[str, Any]:
    return _at(w, kind="workplace", severity="minor", occurred_at="2026-11-20T10:00", place="Supply room",
               what="A box fell from a shelf.")


def _complaint(w: Any) -> dict[str, Any]:
    return _at(w, patient_mrn=w.objects["ana"].mrn, channel="phone", topic="access", summary="Waited an hour.")


ROWS: list[Row] = [
    page("GET", f"{C}/{AT}", 200, REPORTERS, outsider=404,
         why="a reporter gets the report page, the admin the dashboard"),
    # incidents
    page("GET", f"{C}/incidents/new/{AT}", 200, REPORTERS, outsider=404),
    page("POST", f"{C}/incidents/new/", 302, REPORTERS, outsider=404, data=_incident),
    page("GET", f"{C}/incidents/{AT}", 200, ADMINS, outsider=404),
    page("GET", f"{C}/incidents/{{incident.pk}}/", 200, ADMINS, **HIDDEN),
    page("POST", f"{C}/incidents/{{incident.pk}}/review/", 302, ADMINS, **HIDDEN,
         data=lambda w: {"notes": "Shelf overloaded"}),
    page("POST", f"{C}/incidents/{{incident_reviewed.pk}}/actions/", 302, ADMINS, **HIDDEN,
         data=lambda w: {"description": "Move heavy boxes low", "owner": str(w.users["front_desk"].pk),
                         "due_on": "2026-12-31"}),
    page("POST", f"{C}/incidents/{{incident_reviewed.pk}}/close/", 302, ADMINS, **HIDDEN),
    page("POST", f"{C}/actions/{{incident_action.pk}}/done/", 302, ADMINS, **HIDDEN,
         data=lambda w: {"note": "Done"}),
    # complaints and grievances
    page("GET", f"{C}/complaints/new/{AT}", 200, REPORTERS, outsider=404),
    page("POST", f"{C}/complaints/new/", 302, REPORTERS, outsider=404, data=_complaint),
    page("GET", f"{C}/complaints/{AT}", 200, ADMINS, outsider=404),
    page("GET", f"{C}/complaints/log.csv{AT}", 200, ADMINS, outsider=404),
    page("GET", f"{C}/complaints/{{complaint.pk}}/", 200, ADMINS, **HIDDEN),
    page("POST", f"{C}/complaints/{{complaint.pk}}/grievance/", 302, ADMINS, **HIDDEN,
         data=lambda w: {"basis": "not-resolved"}),
    page("POST", f"{C}/complaints/{{complaint.pk}}/resolve/", 302, ADMINS, **HIDDEN,
         data=lambda w: {"note": "Apologised and rebooked"}),
    page("POST", f"{C}/complaints/{{complaint.pk}}/escalate/", 302, ADMINS, **HIDDEN),
    page("POST", f"{C}/complaints/{{grievance.pk}}/acknowledge/", 302, ADMINS, **HIDDEN,
         data=lambda w: {"language": "en"}),
    page("POST", f"{C}/complaints/{{grievance.pk}}/answer/", 302, ADMINS, **HIDDEN,
         data=lambda w: {"steps_taken": "Reviewed", "results": "Fixed", "contact_person": "Pat",
                         "completed_on": "2026-11-20"}),
    # rights requests, disclosures
    page("GET", f"{C}/requests/{AT}", 200, ADMINS, outsider=404),
    page("GET", f"{C}/requests/new/{AT}", 200, ADMINS, outsider=404),
    page("POST", f"{C}/requests/new/", 302, ADMINS, outsider=404,
         data=lambda w: _at(w, patient_mrn=w.objects["ana"].mrn, kind="access", received_on="2026-11-20",
                            details="A copy of my chart")),
    page("GET", f"{C}/requests/{{rights_request.pk}}/", 200, ADMINS, **HIDDEN),
    page("POST", f"{C}/requests/{{rights_request.pk}}/start/", 302, ADMINS, **HIDDEN),
    page("POST", f"{C}/requests/{{rights_request.pk}}/fulfil/", 302, ADMINS, **HIDDEN,
         data=lambda w: {"outcome": "Portal copy", "sent_parts": ["visits"]}),
    page("POST", f"{C}/requests/{{rights_request.pk}}/close/", 302, ADMINS, **HIDDEN,
         data=lambda w: {"status": "withdrawn", "outcome": "Patient withdrew"}),
    page("GET", f"{C}/disclosures/{AT}", 200, ADMINS, outsider=404),
    page("POST", f"{C}/disclosures/", 200, ADMINS, outsider=404, case="accounting PDF",
         data=lambda w: _at(w, patient_mrn=w.objects["ana"].mrn, language="es")),
    page("GET", f"{C}/disclosures/new/{AT}", 200, ADMINS, outsider=404),
    page("POST", f"{C}/disclosures/new/", 302, ADMINS, outsider=404,
         data=lambda w: _at(w, patient_mrn=w.objects["ana"].mrn, disclosed_on="2026-11-20", recipient="County",
                            purpose="public-health", parts=["immunizations"])),
    # breaches
    page("GET", f"{C}/breaches/{AT}", 200, ADMINS, outsider=404),
    page("GET", f"{C}/breaches/new/{AT}", 200, ADMINS, outsider=404),
    page("POST", f"{C}/breaches/new/", 302, ADMINS, outsider=404,
         data=lambda w: _at(w, discovered_on="2026-11-20", individuals_affected="3", description="Mis-sent fax")),
    page("GET", f"{C}/breaches/{{breach.pk}}/", 200, ADMINS, **HIDDEN),
    page("POST", f"{C}/breaches/{{breach.pk}}/notices/", 302, ADMINS, **HIDDEN,
         data=lambda w: {"audience": "individuals", "sent_on": "2026-11-20"}),
    page("POST", f"{C}/breaches/{{breach_notified.pk}}/close/", 302, ADMINS, **HIDDEN),
    # JSON API
    api("GET", "/api/v1/compliance-dashboard/{home.pk}", 200, ADMINS),
    api("POST", "/api/v1/complaints", 201, REPORTERS, elsewhere=403,
        body=lambda w: {"location": w.home.pk, "patientMrn": w.objects["ana"].mrn, "channel": "desk",
                        "topic": "staff", "summary": "Rude at check-in"}),
    api("POST", "/api/v1/complaints/{complaint.pk}/grievance", 200, ADMINS, denied=404,
        body=lambda w: {"basis": "subject"}),
    # the compliance calendar
    page("GET", f"{C}/calendar/{AT}", 200, ADMINS, outsider=404),
    page("GET", f"{C}/calendar/duties/new/{AT}", 200, ADMINS, outsider=404),
    page("POST", f"{C}/calendar/duties/new/", 302, ADMINS, outsider=404,
         data=lambda w: _at(w, title="Check the AED", owner_id=str(w.users[PRC].pk), recurrence="monthly",
                            starts_on="2026-11-20")),
    page("POST", f"{C}/calendar/duties/built-in/{AT}", 302, ADMINS, outsider=404),
    page("GET", f"{C}/calendar/{{occurrence.pk}}/", 200, ADMINS, **HIDDEN),
    page("POST", f"{C}/calendar/{{occurrence.pk}}/done/", 302, ADMINS, **HIDDEN,
         data=lambda w: {"done_on": "2026-11-20", "evidence_note": "Flushed, water clear"}),
    # OSHA
    page("GET", f"{C}/osha/{AT}", 200, ADMINS, outsider=404),
    page("GET", f"{C}/osha/300.csv{AT}", 200, ADMINS, outsider=404),
    page("GET", f"{C}/osha/documents/new/{AT}", 200, ADMINS, outsider=404),
    page("POST", f"{C}/osha/documents/new/", 302, ADMINS, outsider=404,
         data=lambda w: _at(w, kind="sds", title="Bleach", manufacturer="Clorox", review_on="2027-11-20")),
    page("POST", f"{C}/osha/documents/{{safety_document.pk}}/reviewed/", 302, ADMINS, **HIDDEN,
         data=lambda w: {"next_review_on": "2099-01-01"}),
    page("GET", f"{C}/osha/sharps/new/{AT}", 200, ADMINS, outsider=404),
    page("POST", f"{C}/osha/sharps/new/", 302, ADMINS, outsider=404,
         data=lambda w: _at(w, occurred_on="2026-11-20", device="Lancet, Acme", work_area="Lab", how="Recapping")),
    page("GET", f"{C}/osha/cases/new/{AT}", 200, ADMINS, outsider=404),
    page("POST", f"{C}/osha/cases/new/", 302, ADMINS, outsider=404,
         data=lambda w: _at(w, employee_name="Nina Nurse", job_title="MA", occurred_on="2026-11-20", where="Lab",
                            description="Cut", outcome="other", days_away="0", days_restricted="0",
                            case_type="injury", privacy_reason="")),
    # the HIPAA program
    page("GET", f"{C}/hipaa/", 200, ADMINS),
    page("POST", f"{C}/hipaa/assessment/", 302, ADMINS, data=lambda w: {"owner_id": str(w.users[PRC].pk)}),
    page("POST", f"{C}/hipaa/assessment/{{risk_assessment.pk}}/complete/", 302, ADMINS, flash_ok=False,
         case="refused while questions are open"),
    page("POST", f"{C}/hipaa/items/{{risk_item.pk}}/", 302, ADMINS,
         data=lambda w: {f"q{w.objects['risk_item'].pk}-status": "gap"}),
    page("GET", f"{C}/hipaa/agreements/new/", 200, ADMINS),
    page("POST", f"{C}/hipaa/agreements/new/", 302, ADMINS,
         data=lambda w: {"vendor": "Shred Co", "services": "Shredding", "signed_on": "2026-01-05",
                         "review_on": "2027-01-05"}),
    page("POST", f"{C}/hipaa/officers/", 302, ADMINS,
         data=lambda w: {"role": "privacy", "user_id": str(w.users[COMP].pk), "since": "2026-11-20"}),
    # the policy manual
    page("GET", f"{C}/policies/", 200, ADMINS),
    page("GET", f"{C}/policies/new/", 200, ADMINS),
    page("POST", f"{C}/policies/new/", 302, ADMINS,
         data=lambda w: {"title": "Sharps disposal", "owner_id": str(w.users[PRC].pk), "review_on": "2027-11-20",
                         "audience": ["nurse"]}),
    page("GET", f"{C}/policies/people/", 200, ADMINS),
    page("GET", f"{C}/policies/{{policy.pk}}/", 200, ADMINS),
    page("POST", f"{C}/policies/{{policy.pk}}/versions/", 302, ADMINS,
         data=lambda w: {"effective_on": "2026-11-20", "text": "Wash hands before and after."}),
    page("POST", f"{C}/policies/{{policy.pk}}/versions/{{policy_version.pk}}/remind/", 302, ADMINS),
    page("GET", f"{C}/policies/mine/", 200, _EVERYONE, elsewhere=None, why="every staff member's own list"),
    page("POST", f"{C}/policies/versions/{{policy_version.pk}}/acknowledge/", 302, _EVERYONE, elsewhere=None,
         why="the policy's audience is every role"),
    page("GET", f"{C}/files/{{compliance_file.pk}}/", 200, ADMINS, **HIDDEN),
    api("GET", "/api/v1/compliance-calendar/{home.pk}", 200, ADMINS),
    api("POST", "/api/v1/compliance-duties", 201, ADMINS,
        body=lambda w: {"location": w.home.pk, "title": "Check the AED", "owner": w.users[PRC].pk,
                        "recurrence": "weekly", "startsOn": "2026-11-20"}),
    api("POST", "/api/v1/compliance-occurrences/{occurrence.pk}/complete", 200, ADMINS, denied=404,
        body=lambda w: {"doneOn": "2026-11-20", "evidenceNote": "Checked"}),
    api("POST", "/api/v1/policy-versions/{policy_version.pk}/acknowledge", 200, _EVERYONE, elsewhere=None),
    api("POST", "/api/v1/incidents", 201, REPORTERS, elsewhere=403,
        body=lambda w: {"location": w.home.pk, "kind": "patient-safety", "severity": "near-miss",
                        "what": "Wrong label caught", "place": "Lab", "occurredAt": "2026-11-20T10:00:00-05:00"}),
]


def objects(world: Any) -> dict[str, Any]:
    """At Downtown: an incident as reported, one reviewed, an action, a phone complaint, a grievance, an access
    request, a breach and one whose notices are all recorded."""
    import datetime as dt

    from clinicdesk.compliance import services
    from clinicdesk.core.permissions import Role

    desk, coordinator = world.users["front_desk"], world.users[PRC]
    home, ana = world.home.pk, world.objects["ana"]
    moment = dt.datetime(2026, 11, 19, 15, 0, tzinfo=dt.UTC)

    def incident() -> Any:
        return services.incident_report(actor=desk, location_id=home, kind="patient-safety", severity="minor",
                                        what="Wrong patient called", place="Waiting room", occurred_at=moment)

    reported, reviewed, with_action = incident(), incident(), incident()
    services.incident_review(actor=coordinator, incident_id=reviewed.pk, notes="Two identifiers not used")
    services.incident_review(actor=coordinator, incident_id=with_action.pk, notes="Same")
    action = services.corrective_action_add(actor=coordinator, incident_id=with_action.pk, description="Huddle",
                                            owner_id=desk.pk, due_on=dt.date(2099, 1, 1))

    def complaint() -> Any:
        return services.complaint_log(actor=desk, location_id=home, patient_mrn=ana.mrn, channel="phone",
                                      topic="access", summary="Could not get through", received_at=moment)

    open_one, grievance = complaint(), complaint()
    services.grievance_mark(actor=coordinator, complaint_id=grievance.pk, basis="not-resolved")
    request = services.rights_request_log(actor=coordinator, location_id=home, patient_mrn=ana.mrn, kind="access",
                                          details="Copy of my chart", received_on=dt.date(2026, 11, 19))
    breach = services.breach_log(actor=coordinator, location_id=home, discovered_on=dt.date(2026, 11, 19),
                                 individuals_affected=2, description="Letter sent to the wrong address")
    notified = services.breach_log(actor=coordinator, location_id=home, discovered_on=dt.date(2026, 11, 19),
                                   individuals_affected=1, description="Fax to the wrong number")
    for audience in ("individuals", "hhs"):
        services.breach_notice_record(actor=coordinator, breach_id=notified.pk, audience=audience,
                                      sent_on=dt.date(2026, 11, 19))
    from django.core.files.uploadedfile import SimpleUploadedFile

    duty = services.duty_add(actor=coordinator, location_id=home, title="Eyewash check", owner_id=coordinator.pk,
                             recurrence="weekly", starts_on=dt.date(2026, 11, 16))
    done = services.occurrence_complete(
        actor=coordinator, occurrence_id=duty.occurrences.get().pk, done_on=dt.date(2026, 11, 16),
        evidence_file=SimpleUploadedFile("log.pdf", b"%PDF-1.4\ntrailer<<>>\n%%EOF\n", "application/pdf"))
    document = services.safety_document_add(actor=coordinator, location_id=home, kind="exposure-plan",
                                            title="Exposure control plan", review_on=dt.date(2026, 12, 1))
    assessment = services.risk_assessment_start(actor=coordinator, year=2025, owner_id=coordinator.pk)
    policy = services.policy_add(actor=coordinator, title="Hand hygiene", owner_id=coordinator.pk,
                                 review_on=dt.date(2027, 11, 1), audience=[r.value for r in Role])
    version = services.policy_publish(actor=coordinator, policy_id=policy.pk, effective_on=dt.date(2026, 11, 1),
                                      text="Wash hands.")
    return {"incident": reported, "incident_reviewed": reviewed, "incident_action": action, "complaint": open_one,
            "grievance": grievance, "rights_request": request, "breach": breach, "breach_notified": notified,
            "occurrence": duty.occurrences.get(done_on__isnull=True), "compliance_file": done.evidence_file,
            "safety_document": document, "risk_assessment": assessment, "risk_item": assessment.items.first(),
            "policy": policy, "policy_version": version}
