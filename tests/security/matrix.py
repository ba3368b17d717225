"""The access-control matrix: one row per endpoint (and per object-level case), the status each caller gets.

A row names the roles that may do what it asks (`allow`) and the answer they get (`ok`). Everybody else gets
`denied` (a role without the permission: 403, or 404 where the service hides the object from anyone who may not
see it); a user of another location whose role would be allowed gets `elsewhere` (404: "a forbidden object looks
like a missing one"), or - `elsewhere=None` - the same page for their own location, which must not show any
Downtown patient. `who` lists the cells that differ from that rule, each for a reason given beside it.

Role groups are spelled out here from the product's rules, not read from core.permissions, so that a change of
the role map shows up as a failing cell.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .world import (
    ANON,
    EXPIRED,
    NO_TOKEN,
    PATIENT,
    SCOPES_COVER,
    SYSTEM,
    SYSTEM_NARROW,
    TODAY,
    TOMORROW,
    USER_NARROW,
    WEBHOOK_TOKEN,
    World,
    drawn_signature,
    upload,
)

FD, PC, PRC, BILL = "front_desk", "patient_coordinator", "practice_coordinator", "billing"
PROV, NURSE, COMP, ADMIN = "provider", "nurse", "compliance", "sysadmin"
SYS = "system"  # a FHIR back-end client (acts as a SystemActor holding what its system/ scopes imply)
EVERYONE = frozenset({FD, PC, PRC, BILL, PROV, NURSE, COMP, ADMIN})
PATIENT_READERS = frozenset({FD, PC, PRC, BILL, PROV, NURSE, COMP})
PATIENT_WRITERS = frozenset({FD, PC, PRC})  # registration and demographics: the desk
MERGERS = frozenset({PC, PRC})
DUPLICATE_REVIEWERS = MERGERS | {FD}  # the front desk: only pairs holding a chart registered in the last 24 hours
SCHEDULE_READERS = frozenset({FD, PC, PRC, BILL, PROV, NURSE})
SCHEDULE_WRITERS = frozenset({FD, PC, PRC})
DESK = frozenset({FD, PC, PRC, NURSE})  # frontdesk.operate (nurses / medical assistants room and check in)
CLINICAL = frozenset({PROV, NURSE})  # clinical triage
FLOW = DESK | CLINICAL  # the flow board, the inbox, rooming
BILLING_READERS = frozenset({FD, PC, PRC, BILL})
CASHIERS = DESK | {BILL}  # money is taken at the desk, and by billing staff
AUDITORS = frozenset({COMP})
PRACTICE_ADMINS = frozenset({PRC, ADMIN})
NOBODY: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Row:
    method: str
    path: str  # formatted with the world's objects: "/patients/{ana.pk}/"
    ok: int
    allow: frozenset[str]
    data: Callable[[World], Any] | None = None
    denied: int = 403
    elsewhere: int | None = 404
    outsider: int | None = None  # every user of another location gets this, whatever the role (the page looks
    #                              the location up before the permission: an unknown one is a 404)
    anon: int = 302
    who: dict[str, int] = field(default_factory=dict)
    kind: str = "web"  # web | fhir
    content_type: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    case: str = ""  # tells rows on one route apart in the test id
    why: str = ""  # the product decision behind the row, where there is one
    resource: str = ""  # FHIR: the resource type whose scope is checked ("" for no scope: public)
    letter: str = ""  # FHIR: the SMART interaction letter (c r u d s)
    interaction: str = ""  # FHIR: the handler interaction this row covers (read, search-type, $find...)
    absent: Callable[[World], list[str]] | None = None  # strings no answer of this row may contain
    flash_ok: bool = True  # a 302 of an allowed caller must not carry an error message
    known: dict[str, str] = field(default_factory=dict)  # cells that fail today: actor -> the open issue (strict
    #                                                      xfail, so the fix turns them into failures to update)

    @property
    def id(self) -> str:
        label = f"{self.method} {self.path}"
        return f"{label} ({self.case})" if self.case else label


def page(method: str, path: str, ok: int, allow: frozenset[str], **kw: Any) -> Row:
    return Row(method, path, ok, allow, **kw)


def _json(body: Callable[[World], Any]) -> Callable[[World], str]:
    return lambda w: json.dumps(body(w))


def api(method: str, path: str, ok: int, allow: frozenset[str], body: Callable[[World], Any] | None = None,
        **kw: Any) -> Row:
    data = _json(body) if body is not None else _json(lambda w: {})
    sends = method in ("POST", "PATCH", "PUT")
    return Row(method, path, ok, allow, data=data if sends else None, anon=401,
               content_type="application/json" if sends else None, **kw)


def public(method: str, path: str, status: int, **kw: Any) -> Row:
    """Answers the same to everyone, signed in or not (the token or the missing credential decides)."""
    return Row(method, path, status, EVERYONE, anon=status, elsewhere=None, **kw)


def fhir(method: str, path: str, ok: int, allow: frozenset[str], resource: str, letter: str, interaction: str,
         body: Callable[[World], Any] | None = None, content_type: str = "application/fhir+json",
         data: Callable[[World], Any] | None = None, **kw: Any) -> Row:
    if body is not None:
        data = _json(body)
    return Row(method, "/fhir/r4/" + path, ok, allow, data=data, anon=kw.pop("anon", 401), kind="fhir",
               content_type=content_type if data is not None else None, resource=resource, letter=letter,
               interaction=interaction, **kw)


def expected(row: Row, actor: str) -> int:
    """The status `actor` must get for `row`."""
    if actor in row.who:
        return row.who[actor]
    if actor == PATIENT:  # a portal patient holds no staff session: staff routes treat them as anonymous
        return row.anon
    if actor in (ANON, NO_TOKEN, EXPIRED):
        return row.anon
    if row.kind == "fhir" and row.resource:
        if actor in SCOPES_COVER and (row.resource, row.letter) not in SCOPES_COVER[actor]:
            return 403  # the token's scopes do not reach the resource, whatever the role
        role = {SYSTEM: SYS, SYSTEM_NARROW: SYS, USER_NARROW: FD}.get(actor, actor)
    else:
        role = actor
    role, _at, elsewhere = role.partition("@")
    if elsewhere and row.outsider is not None:
        return row.outsider
    if role not in row.allow:
        return row.denied
    if elsewhere and row.elsewhere is not None:
        return row.elsewhere
    return row.ok


def _day(value: dt.date) -> str:
    return value.isoformat()


def demographics(w: World, **changes: Any) -> dict[str, Any]:
    data = {"family_name": "Quillfeather", "given_name": "Ana", "birth_date": "05/17/1980", "sex": "female",
            "phone": "413-555-0199", "phone_type": "mobile", "alt_phone_type": "home", "preferred_language": "en",
            "email": "ana@example.org", "sms_opt_in": "on", "sms_opt_in_source": "verbal", "email_opt_in": "on",
            "email_opt_in_source": "verbal", "state": "", "postal_code": "", "city": "Springfield"}
    data.update(changes)
    return data


REASON = {"reason": "Patient asked for it by phone"}
FLOW_404 = "a visit's pages are hidden (404) from anyone who may not work the flow board there"

# --- pages and the session JSON API -----------------------------------------------------------------------------

WEB_ROWS: list[Row] = [
    # home, health, sign-in and the user's own pages
    page("GET", "/", 200, EVERYONE, elsewhere=None, why="every signed-in user has a home page"),
    public("GET", "/healthz", 200, why="load balancer probe: no data"),
    public("GET", "/favicon.ico", 301, why="the browser's icon request, sent on to the static icon"),
    public("GET", "/jsi18n/", 200, why="translation catalogue for the scripts: no data"),
    public("GET", "/accounts/login/", 200, why="the sign-in form"),
    page("POST", "/accounts/logout/", 302, EVERYONE, elsewhere=None, why="signing out needs nothing"),
    page("GET", "/accounts/two-factor/verify/", 200, EVERYONE, elsewhere=None),
    page("GET", "/accounts/two-factor/setup/", 200, EVERYONE, elsewhere=None),
    page("GET", "/accounts/preferences/", 200, EVERYONE, elsewhere=None),
    page("GET", "/accounts/users/", 200, frozenset({ADMIN})),
    page("POST", "/accounts/users/{locked_user.pk}/unlock/", 302, frozenset({ADMIN})),
    page("POST", "/accounts/users/{locked_user.pk}/two-factor/reset/", 302, frozenset({ADMIN})),
    api("GET", "/api/v1/me", 200, EVERYONE, elsewhere=None),
    public("GET", "/api/v1/openapi.json", 200, why="the API description carries no data"),

    # patients
    page("GET", "/patients/", 200, EVERYONE, elsewhere=None,
         why="the empty search form shows no patient data; the search itself (POST) needs patient.read"),
    page("POST", "/patients/", 200, PATIENT_READERS, elsewhere=None, data=lambda w: {"q": "Quill"}, case="search"),
    page("GET", "/patients/new/", 200, PATIENT_WRITERS, elsewhere=None),
    page("POST", "/patients/new/", 302, PATIENT_WRITERS, elsewhere=422, case="register at Downtown",
         data=lambda w: {**demographics(w, family_name="Newcomb", given_name="Nell", birth_date="02/03/1991",
                                        phone="413-555-0177", email="nell@example.org"), "location": str(w.home.pk),
                         "idempotency_key": ""},
         why="an Uptown user cannot pick Downtown as the home location (the form refuses it: 422)"),
    page("GET", "/patients/{ana.pk}/", 200, PATIENT_READERS),
    page("GET", "/patients/{rita.pk}/", 403, NOBODY, case="restricted record", outsider=404,
         why="a restricted chart opens for nobody until they break the glass (403 with the reason form)"),
    page("POST", "/patients/{rita.pk}/unlock/", 302, PATIENT_READERS, data=lambda w: REASON),
    page("GET", "/patients/{ana.pk}/edit/", 200, PATIENT_WRITERS, outsider=404,
         why="the form opens only for those who may save it (patient.write), answering as the save does"),
    page("POST", "/patients/{ana.pk}/edit/", 302, PATIENT_WRITERS, data=lambda w: demographics(w, city="Boston"),
         outsider=404),
    page("GET", "/patients/{ana.pk}/insurance/new/", 200, PATIENT_READERS, why="as the edit form"),
    page("POST", "/patients/{ana.pk}/insurance/new/", 302, PATIENT_WRITERS,
         data=lambda w: {"payer": w.coverage.payer_id, "member_id": "Z9", "order": 2, "start_date": "03/01/2026",
                         "relationship": "self"},
         outsider=404),
    page("GET", "/patients/{ana.pk}/insurance/{coverage.pk}/end/", 200, PATIENT_READERS, why="as the edit form"),
    page("POST", "/patients/{ana.pk}/insurance/{coverage.pk}/end/", 302, PATIENT_WRITERS,
         data=lambda w: {"end_date": "11/30/2026"}, outsider=404),
    page("GET", "/patients/{ana.pk}/documents/new/", 200, PATIENT_READERS, why="as the edit form"),
    page("POST", "/patients/{ana.pk}/documents/new/", 302, PATIENT_WRITERS,
         data=lambda w: {"kind": "referral", "description": "Referral", "file": upload()},
         content_type="multipart", outsider=404),
    page("GET", "/patients/{ana.pk}/contacts/new/", 200, PATIENT_READERS, why="as the edit form"),
    page("POST", "/patients/{ana.pk}/contacts/new/", 302, PATIENT_WRITERS,
         data=lambda w: {"kind": "emergency", "name": "Eve Contact", "relationship": "sister",
                         "phone": "413-555-0100"}, outsider=404),
    page("GET", "/patients/{ana.pk}/forms/sign/", 200, PATIENT_READERS, why="as the edit form"),
    page("POST", "/patients/{ana.pk}/forms/sign/", 302, PATIENT_WRITERS,
         data=lambda w: {"template": w.npp.pk, "signer_kind": "patient", "signer_name": "Ana Quillfeather",
                         "signature_kind": "drawn", "drawn_signature": drawn_signature()},
         outsider=404),
    page("GET", "/patients/{ana.pk}/inactivate/", 200, PATIENT_READERS, why="as the edit form"),
    page("POST", "/patients/{ana.pk}/inactivate/", 302, PATIENT_WRITERS, data=lambda w: REASON,
         outsider=404),
    page("POST", "/patients/{ivy.pk}/reactivate/", 302, PATIENT_WRITERS),
    page("GET", "/patients/{ana.pk}/deceased/", 200, PATIENT_READERS, why="as the edit form"),
    page("POST", "/patients/{ana.pk}/deceased/", 302, PATIENT_WRITERS, data=lambda w: {"deceased_date": "11/20/2026"},
         outsider=404),
    page("GET", "/patients/documents/{document.pk}/", 200, PATIENT_READERS, denied=404,
         why="documents are hidden (404) from anyone who may not read the chart"),
    page("GET", "/patients/signed-forms/{signed_form.pk}/", 200, PATIENT_READERS, denied=404),
    page("GET", "/patients/duplicates/", 200, DUPLICATE_REVIEWERS, elsewhere=None),
    page("POST", "/patients/duplicates/", 302, MERGERS, elsewhere=None, case="scan",
         why="a practice-wide scan is coordinator work"),
    page("POST", "/patients/duplicates/merge/", 302, DUPLICATE_REVIEWERS, case="merge by MRN",
         data=lambda w: {"survivor_mrn": w.dup1.mrn, "merged_mrn": w.dup2.mrn, "reason": "Same person"}),
    page("POST", "/patients/duplicates/merge/", 302, MERGERS, case="merge by MRN, charts older than 24 h",
         data=lambda w: {"survivor_mrn": w.old1.mrn, "merged_mrn": w.old2.mrn, "reason": "Same person"},
         why="the front desk merges away only a chart registered in the last 24 hours"),
    page("POST", "/patients/duplicates/merge/", 404, DUPLICATE_REVIEWERS, elsewhere=None, case="unknown MRNs",
         data=lambda w: {"survivor_mrn": "X0000001", "merged_mrn": "X0000002", "reason": "Same person"},
         why="whether an MRN exists is told only to those who may merge"),
    page("GET", "/patients/duplicates/{pair.pk}/", 200, DUPLICATE_REVIEWERS),
    page("GET", "/patients/duplicates/{old_pair.pk}/", 200, MERGERS, case="charts older than 24 h"),
    page("POST", "/patients/duplicates/{old_pair.pk}/", 302, MERGERS, case="merge a pair older than 24 h",
         data=lambda w: {"survivor": w.old1.pk, "reason": "Same person"}),
    page("POST", "/patients/duplicates/{old_pair.pk}/dismiss/", 302, MERGERS, case="pair older than 24 h",
         data=lambda w: {"dismiss-reason": "Twins, different people"}),
    page("POST", "/patients/duplicates/{pair.pk}/", 302, DUPLICATE_REVIEWERS, case="merge the pair",
         data=lambda w: {"survivor": w.dup1.pk, "reason": "Same person"}),
    page("POST", "/patients/duplicates/{pair.pk}/dismiss/", 302, DUPLICATE_REVIEWERS,
         data=lambda w: {"dismiss-reason": "Twins, different people"}),
    page("GET", "/patients/export/", 200, frozenset({PRC})),
    page("POST", "/patients/export/", 200, frozenset({PRC})),
    page("GET", "/patients/break-glass/", 200, AUDITORS),

    # schedule
    page("GET", "/schedule/day/?location={home.pk}&day=2026-11-24", 200, SCHEDULE_READERS, outsider=404),
    page("GET", "/schedule/week/?location={home.pk}&day=2026-11-24", 200, SCHEDULE_READERS, outsider=404),
    page("GET", "/schedule/print/?location={home.pk}&day=2026-11-24", 200, SCHEDULE_READERS, outsider=404),
    page("GET", "/reports/appointments/?location={home.pk}&group=here", 200, SCHEDULE_READERS, outsider=404,
         why="the list behind a number on the home tile: the day's schedule, narrowed"),
    page("GET", "/schedule/book/?location={home.pk}", 200, SCHEDULE_WRITERS, outsider=404),
    page("POST", "/schedule/book/new/", 200, SCHEDULE_WRITERS,
         data=lambda w: {"location": w.home.pk, "patient": w.cy.pk, "practitioner": w.doc.pk,
                         "appointment_type": w.kind.pk, "day": _day(TOMORROW), "time": "15:00",
                         "idempotency_key": "matrix-book"}, outsider=404),
    page("POST", "/schedule/book/patients/", 200, PATIENT_READERS, elsewhere=None,
         data=lambda w: {"q": "Quill"}),
    page("GET", "/schedule/appointments/{tomorrow.pk}/", 200, SCHEDULE_READERS),
    page("POST", "/schedule/appointments/{tomorrow.pk}/move/", 200, SCHEDULE_WRITERS,
         data=lambda w: {"day": _day(TOMORROW), "time": "16:00", "reason": "Asked"}, outsider=404,
         why="the move form reads the appointment first: hidden from other locations"),
    page("POST", "/schedule/appointments/{tomorrow.pk}/cancel/", 200, SCHEDULE_WRITERS,
         data=lambda w: {"reason": "Travel"}),
    page("POST", "/schedule/appointments/{today.pk}/status/", 200, DESK, data=lambda w: {"status": "arrived"},
         why="marking arrived is desk work (frontdesk.operate)"),
    page("POST", "/schedule/appointments/{tomorrow.pk}/checklist/", 200, SCHEDULE_WRITERS,
         data=lambda w: {"item": "referral", "done": "1"}),
    page("GET", "/schedule/appointments/{tomorrow.pk}/appointment.ics", 200, SCHEDULE_READERS),
    page("GET", "/schedule/first-available/?location={home.pk}", 200, SCHEDULE_WRITERS, outsider=404,
         why="first-available is part of booking"),
    page("GET", "/schedule/waitlist/?location={home.pk}", 200, SCHEDULE_READERS, outsider=404),
    page("POST", "/schedule/providers/{doc.pk}/feed/", 200, frozenset({PRC, PROV}), denied=404,
         who={COMP: 403, ADMIN: 403},
         why="a provider manages their own feed, a practice administrator anyone's; others do not see it (404)"),
    page("POST", "/schedule/providers/{doc.pk}/feed/revoke/", 200, frozenset({PRC, PROV}), denied=404,
         who={COMP: 403, ADMIN: 403}),
    public("GET", "/schedule/feeds/{feed_token}.ics", 200, case="valid token", why="the token is the credential"),
    public("GET", "/schedule/feeds/not-a-real-token.ics", 404, case="unknown token"),

    # audit and practice settings
    page("GET", "/audit/", 200, AUDITORS),
    page("POST", "/audit/", 200, AUDITORS, data=lambda w: {"action": "patient.read"}, case="filter"),
    page("POST", "/audit/export/", 200, AUDITORS, data=lambda w: {"start": "2020-01-01"}),
    page("GET", "/practice/locations/", 200, PRACTICE_ADMINS),

    # front desk
    page("GET", "/frontdesk/?location={home.pk}", 200, DESK, elsewhere=None),
    page("POST", "/frontdesk/appointments/{today.pk}/arrive", 302, DESK),
    page("GET", "/frontdesk/appointments/{today.pk}/check-in", 200, DESK),
    page("POST", "/frontdesk/appointments/{today.pk}/check-in", 302, DESK, data=lambda w: {"demographics": "on"}),
    page("GET", "/frontdesk/board/?location={home.pk}", 200, FLOW, elsewhere=None),
    page("GET", "/frontdesk/board/rows?location={home.pk}", 200, FLOW, elsewhere=None),
    page("POST", "/frontdesk/visits/{visit.pk}/move/room", 302, FLOW, data=lambda w: {"room": w.room.pk}),
    page("POST", "/frontdesk/visits/{ready_visit.pk}/move/checkout", 302, DESK, who={PROV: 404},
         why="check-out is desk work: a provider on the board is refused (as if the visit were not there)"),
    page("GET", "/frontdesk/visits/{ready_visit.pk}/check-out", 200, FLOW, denied=404,
         why=f"the check-out sheet follows the flow board; its actions need their own permissions; {FLOW_404}"),
    page("POST", "/frontdesk/visits/{ready_visit.pk}/follow-up", 302, SCHEDULE_WRITERS,
         data=lambda w: {"appointment_type": w.kind.pk, "weeks": 2},
         who={PROV: 404, NURSE: 404, "nurse@uptown": 404},
         why="booking the follow-up needs schedule.write; clinicians on the board get 404 (hidden)"),
    page("POST", "/frontdesk/visits/{ready_visit.pk}/recall", 302, SCHEDULE_WRITERS, denied=404,
         data=lambda w: {"appointment_type": w.kind.pk, "due_date": "2027-11-23"}),
    page("GET", "/frontdesk/visits/{ready_visit.pk}/summary", 200, FLOW, denied=404),
    page("GET", "/frontdesk/walk-ins/?location={home.pk}", 200, DESK, elsewhere=None,
         why="the walk-in screen is desk work"),
    page("POST", "/frontdesk/walk-ins/", 302, DESK, case="add",
         data=lambda w: {"location": w.home.pk, "action": "add", "patient": w.ana.pk, "practitioner": w.doc.pk,
                         "idempotency_key": "matrix-walk-in"},
         why="an Uptown user works at Uptown only, where a Downtown patient is hidden (404)"),
    page("POST", "/frontdesk/walk-ins/", 302, DESK, case="a Downtown patient, at Uptown",
         data=lambda w: {"location": w.other.pk, "action": "add", "patient": w.ana.pk, "service": w.kind.pk,
                         "idempotency_key": "matrix-walk-in-uptown"},
         why="a patient named by id must be one the desk could have found: Uptown's desk cannot queue a Downtown "
             "patient (Downtown users fall back to their own location)"),
    page("GET", "/frontdesk/wait-times/?location={home.pk}", 200, DESK | {BILL, COMP}, elsewhere=None,
         why="figures only: the desk and report readers"),
    page("GET", "/frontdesk/visitors/?location={home.pk}", 200, DESK, elsewhere=None),
    page("POST", "/frontdesk/visitors/", 302, DESK, elsewhere=None, case="sign in",
         data=lambda w: {"location": w.home.pk, "name": "Vic", "visiting": "Ben", "id_type": "passport",
                         "id_last4": "4321", "badge": "B9"}),
    page("POST", "/frontdesk/visitors/{visitor.pk}/sign-out", 302, DESK),
    page("GET", "/frontdesk/calls/?location={home.pk}", 200, DESK, elsewhere=None),
    page("POST", "/frontdesk/calls/", 302, DESK, elsewhere=None, case="log a call",
         data=lambda w: {"location": w.home.pk, "caller_name": "Caller", "reason": "billing",
                         "disposition": "resolved"}),
    page("POST", "/frontdesk/slips/{open_slip.pk}/answer", 302, CLINICAL, data=lambda w: {"response": "Stop it"}),
    page("POST", "/frontdesk/slips/{answered_slip.pk}/close", 302, DESK),
    page("GET", "/frontdesk/inbox/?location={home.pk}", 200, FLOW, elsewhere=None),
    page("POST", "/frontdesk/inbox/", 302, FLOW, elsewhere=None, case="new task",
         data=lambda w: {"location": w.home.pk, "title": "Call back", "due_date": _day(TODAY),
                         "pool": "front_desk"}),
    page("POST", "/frontdesk/inbox/", 302, FLOW, case="task about a Downtown patient, at Uptown",
         data=lambda w: {"location": w.other.pk, "title": "Call back", "due_date": _day(TODAY),
                         "pool": "front_desk", "patient": w.ana.pk},
         why="the inbox shows the task's patient: Uptown users cannot attach a Downtown patient by id"),
    page("POST", "/frontdesk/tasks/{task.pk}/status", 302, FLOW, data=lambda w: {"status": "done"}),
    page("GET", "/frontdesk/worklist/?location={home.pk}", 200, DESK, elsewhere=None),
    page("POST", "/frontdesk/worklist/{tomorrow.pk}/chase", 302, DESK, data=lambda w: {"item": "referral"}),

    # billing
    page("GET", "/billing/patients/{ana.pk}/", 200, BILLING_READERS),
    page("POST", "/billing/payments/", 302, CASHIERS, elsewhere=403, case="collect at Downtown",
         data=lambda w: {"patient": w.ana.pk, "location": w.home.pk, "amount": "25.00", "method": "cash",
                         "idempotency_key": "matrix-collect"},
         why="the location is named by the caller: an Uptown user is refused there (403)"),
    page("POST", "/billing/payments/", 302, CASHIERS, case="a Downtown patient, at Uptown",
         data=lambda w: {"patient": w.ana.pk, "location": w.other.pk, "amount": "0.01", "method": "cash",
                         "idempotency_key": "matrix-collect-uptown"},
         who={FD: 403, PC: 403, NURSE: 403, BILL: 403},
         why="the receipt shows the patient's name and balance: Uptown's cashiers may not take money against a "
             "Downtown chart named by id (no appointment of theirs); Downtown staff do not work at Uptown"),
    page("POST", "/billing/payments/", 302, CASHIERS, case="a Downtown patient, for her appointment at Uptown",
         data=lambda w: {"patient": w.tess.pk, "location": w.other.pk, "amount": "20.00", "method": "cash",
                         "appointment": w.uptown_appointment.pk, "idempotency_key": "matrix-collect-visit"},
         elsewhere=None, who={FD: 403, PC: 403, NURSE: 403, BILL: 403},
         why="a patient seen at another location pays there: the appointment at the cashier's location vouches"),
    page("POST", "/billing/payments/{payment.pk}/refund", 302, CASHIERS,
         data=lambda w: {"amount": "5.00", "reason": "Overpaid", "idempotency_key": "matrix-refund"}),
    page("GET", "/billing/entries/{payment.pk}/receipt.pdf", 200, CASHIERS, denied=404),
    page("POST", "/billing/entries/{payment.pk}/receipt-email", 302, CASHIERS, denied=404),
    page("GET", "/billing/drawer/?location={home.pk}", 200, BILLING_READERS, elsewhere=None),

    # messages to patients
    public("GET", "/r/{answer_token}/", 200, case="valid token",
           why="the patient's link: the signed token is the credential, whoever is signed in"),
    public("POST", "/r/{answer_token}/", 200, case="valid token, confirm", data=lambda w: {"answer": "confirm"}),
    public("GET", "/r/{bad_token}/", 404, case="tampered token"),
    public("POST", "/r/{bad_token}/", 404, case="tampered token, cancel", data=lambda w: {"answer": "cancel"}),
    public("GET", "/r/{expired_token}/", 404, case="expired token"),
    public("POST", "/r/{expired_token}/", 404, case="expired token, cancel", data=lambda w: {"answer": "cancel"}),
    public("POST", "/r/{offer_token}/", 404, case="token made for another purpose",
           data=lambda w: {"answer": "cancel"}),
    public("POST", "/hooks/sms/inbound", 403, case="no webhook secret", data=lambda w: {"From": "+1", "Body": "C"}),
    public("POST", "/hooks/sms/inbound", 200, case="webhook secret", data=lambda w: {"From": "+1", "Body": "hello"},
           headers={"X-Clinicdesk-Webhook-Token": WEBHOOK_TOKEN}),
    public("POST", "/hooks/sms/status", 403, case="no webhook secret", data=lambda w: {"MessageSid": "SM1"}),
    public("POST", "/hooks/sms/status", 204, case="webhook secret",
           data=lambda w: {"MessageSid": "SM-none", "MessageStatus": "delivered"},
           headers={"X-Clinicdesk-Webhook-Token": WEBHOOK_TOKEN}),
    page("GET", "/messages/patient/{ana.pk}/", 200, PATIENT_READERS, denied=404),
    page("GET", "/messages/patient/{rita.pk}/", 403, NOBODY, case="restricted record", outsider=404,
         who={ADMIN: 404},
         why="message bodies are part of the record: a restricted one needs the glass broken first"),
    page("GET", "/messages/attention/", 200, DESK, elsewhere=None),
    page("POST", "/messages/{message.pk}/resend/", 302, PATIENT_WRITERS, denied=404),

    # the scheduling JSON API (session sign-in; problem details)
    api("POST", "/api/v1/appointments", 201, SCHEDULE_WRITERS, elsewhere=403,
        body=lambda w: {"patient": w.cy.pk, "practitioner": w.doc.pk, "location": w.home.pk,
                        "appointmentType": w.kind.pk, "start": "2026-11-24T15:00:00-05:00"},
        why="the location is named in the body: an Uptown user is refused there (403)"),
    api("POST", "/api/v1/appointments", 201, SCHEDULE_WRITERS, case="a Downtown patient, at Uptown",
        body=lambda w: {"patient": w.ana.pk, "practitioner": w.uptown_doc.pk, "location": w.other.pk,
                        "appointmentType": w.kind.pk, "start": "2026-11-24T15:00:00-05:00"},
        who={FD: 403, PC: 403},
        why="the day view shows the booked patient: Uptown's desk may not book a Downtown chart named by id; "
            "Downtown's desk does not work at Uptown"),
    api("POST", "/api/v1/appointments", 201, SCHEDULE_WRITERS, case="a Downtown patient already seen at Uptown",
        body=lambda w: {"patient": w.tess.pk, "practitioner": w.uptown_doc.pk, "location": w.other.pk,
                        "appointmentType": w.kind.pk, "start": "2026-11-24T15:00:00-05:00"},
        elsewhere=None, who={FD: 403, PC: 403}, why="a follow-up where the patient is already treated"),
    api("POST", "/api/v1/appointments/search", 200, SCHEDULE_READERS, elsewhere=403,
        body=lambda w: {"appointmentType": w.kind.pk, "location": w.home.pk}),
    api("GET", "/api/v1/appointments/{tomorrow.pk}", 200, SCHEDULE_READERS),
    api("POST", "/api/v1/appointments/{tomorrow.pk}/reschedule", 200, SCHEDULE_WRITERS,
        body=lambda w: {"start": "2026-11-24T16:00:00-05:00"}),
    api("POST", "/api/v1/appointments/{tomorrow.pk}/cancel", 200, SCHEDULE_WRITERS, body=lambda w: {"reason": "Ill"}),
    api("POST", "/api/v1/appointments/{today.pk}/status", 200, DESK, body=lambda w: {"status": "arrived"}),

    # OAuth 2.0 endpoints (the client authenticates, not the session)
    page("GET", "/o/authorize/", 400, EVERYONE, elsewhere=None, case="no client",
         why="signed-in staff reach the consent step; without a registered client it stops there"),
    public("POST", "/o/token/", 401, data=lambda w: {"grant_type": "client_credentials"}, case="no client secret"),
    public("POST", "/o/revoke_token/", 401, data=lambda w: {"token": "nothing"}, case="no client"),
    public("GET", "/o/introspect/", 403, case="no bearer token"),
    public("GET", "/fhir/r4/metadata", 200, why="the CapabilityStatement carries no data"),
    public("GET", "/.well-known/smart-configuration", 200, why="SMART discovery carries no data"),
    public("GET", "/fhir/r4/nothing/here", 404, case="no such endpoint"),
]

# --- FHIR R4 with SMART scopes ---------------------------------------------------------------------------------
# Staff users reach FHIR through an app holding every user/ scope: their role and locations decide. The back-end
# client (SYS) holds what its system/ scopes imply. The narrow tokens are refused (403) outside their scopes.

DIRECTORY = EVERYONE | {SYS}  # practice directory data: any token whose scopes name the type
PATIENT_API_READERS = PATIENT_READERS | {SYS}
SCHEDULE_API_READERS = SCHEDULE_READERS | {SYS}
SCHEDULE_API_WRITERS = SCHEDULE_WRITERS | {SYS}
DESK_API = DESK | {SYS}


def _patient_resource(w: World, **changes: Any) -> dict[str, Any]:
    resource = {"resourceType": "Patient", "name": [{"family": "Newcomb", "given": ["Nell"]}], "gender": "female",
                "birthDate": "1990-02-03", "extension": [{"url": "urn:clinicdesk:home-location",
                                                           "valueReference": {"reference": f"Location/{w.home.pk}"}}]}
    resource.update(changes)
    return resource


def _appointment_resource(w: World) -> dict[str, Any]:
    return {"resourceType": "Appointment", "status": "booked", "start": "2026-11-24T20:00:00Z",
            "end": "2026-11-24T20:20:00Z",
            "serviceType": [{"coding": [{"system": "urn:clinicdesk:appointment-type", "code": "follow-up"}]}],
            "participant": [{"actor": {"reference": f"Patient/{w.cy.pk}"}, "status": "accepted"},
                            {"actor": {"reference": f"Practitioner/{w.doc.pk}"}, "status": "accepted"},
                            {"actor": {"reference": f"Location/{w.home.pk}"}, "status": "accepted"}]}


def _no_rita(w: World) -> list[str]:
    return ["Rita"]


SCHEDULE_ID = "{doc.pk}-{home.pk}"
INS_API_READERS = frozenset({FD, PC, PRC, BILL, PROV, NURSE})  # insurance.read
INS_API_WRITERS = frozenset({FD, PC, PRC, BILL})  # insurance.write


def _coverage_resource(w: World) -> dict[str, Any]:
    """Ana's secondary coverage (her primary one with Aetna is on file)."""
    return {"resourceType": "Coverage", "status": "active", "subscriberId": "CG777",
            "beneficiary": {"reference": f"Patient/{w.ana.pk}"}, "period": {"start": "2026-01-01"}, "order": 2,
            "payor": [{"identifier": {"system": "urn:clinicdesk:payer-id", "value": "62308"}}]}


def _eligibility_request(w: World) -> dict[str, Any]:
    return {"resourceType": "CoverageEligibilityRequest", "status": "active", "purpose": ["benefits"],
            "created": "2026-11-23", "patient": {"reference": f"Patient/{w.ana.pk}"}, "insurer": {"display": "Aetna"},
            "insurance": [{"focal": True, "coverage": {"reference": f"Coverage/{w.coverage.pk}"}}]}


FHIR_ROWS: list[Row] = [
    fhir("GET", "Patient/{ana.pk}", 200, PATIENT_API_READERS, "Patient", "r", "read"),
    fhir("GET", "Patient/{rita.pk}", 403, NOBODY, "Patient", "r", "read", case="restricted record",
         who={"patient_coordinator@uptown": 404}, why="a restricted chart is never served before the glass is broken"),
    fhir("GET", "Patient/{ana.pk}/_history/1", 200, PATIENT_API_READERS, "Patient", "r", "vread"),
    fhir("GET", "Patient/{ana.pk}/_history", 200, PATIENT_API_READERS, "Patient", "r", "history-instance"),
    fhir("GET", "Patient/{rita.pk}/_history", 403, NOBODY, "Patient", "r", "history-instance",
         case="restricted record", who={"patient_coordinator@uptown": 404}, absent=lambda w: ["Rita"],
         why="a restricted chart's versions are never served before the glass is broken"),
    fhir("GET", "Patient?family=Quill", 200, PATIENT_API_READERS, "Patient", "s", "search-type",
         elsewhere=None, absent=_no_rita),
    fhir("POST", "Patient/_search", 200, PATIENT_API_READERS, "Patient", "s", "search-type", case="POST",
         elsewhere=None, data=lambda w: "family=Quill", content_type="application/x-www-form-urlencoded",
         absent=_no_rita),
    fhir("POST", "Patient", 201, PATIENT_WRITERS | {SYS}, "Patient", "c", "create", body=_patient_resource,
         elsewhere=403, why="the home location is named in the resource: an Uptown user is refused there"),
    fhir("PUT", "Patient/{ana.pk}", 200, PATIENT_WRITERS | {SYS}, "Patient", "u", "update",
         body=lambda w: _patient_resource(w, id=str(w.ana.pk), name=[{"family": "Quillfeather", "given": ["Ana"]}],
                                          birthDate="1980-05-17")),
    fhir("PUT", "Patient/{rita.pk}", 403, NOBODY, "Patient", "u", "update", case="restricted record",
         who={"patient_coordinator@uptown": 404},
         body=lambda w: _patient_resource(w, id=str(w.rita.pk), name=[{"family": "Quillfeather", "given": ["Rita"]}],
                                          birthDate="1980-05-17"),
         absent=lambda w: ["Rita"], why="an update must not hand back (or change) a restricted chart"),
    fhir("POST", "Patient/$match", 200, PATIENT_API_READERS, "Patient", "s", "$match", elsewhere=None,
         body=lambda w: {"resourceType": "Parameters", "parameter": [{"name": "resource", "resource": {
             "resourceType": "Patient", "name": [{"family": "Quillfeather", "given": ["Ana"]}],
             "birthDate": "1980-05-17"}}]}),
    fhir("GET", "Appointment/{tomorrow.pk}", 200, SCHEDULE_API_READERS, "Appointment", "r", "read"),
    fhir("GET", "Appointment/{restricted_appointment.pk}", 404, NOBODY, "Appointment", "r", "read",
         case="restricted patient", denied=404, who={COMP: 403, ADMIN: 403}),
    fhir("GET", "Appointment/{tomorrow.pk}/_history/1", 200, SCHEDULE_API_READERS, "Appointment", "r", "vread"),
    fhir("GET", "Appointment/{tomorrow.pk}/_history", 200, SCHEDULE_API_READERS, "Appointment", "r",
         "history-instance"),
    fhir("GET", "Appointment?patient={ana.pk}", 200, SCHEDULE_API_READERS, "Appointment", "s", "search-type",
         elsewhere=None),
    fhir("POST", "Appointment", 201, SCHEDULE_API_WRITERS, "Appointment", "c", "create", body=_appointment_resource,
         elsewhere=403),
    fhir("PATCH", "Appointment/{tomorrow.pk}", 200, SCHEDULE_API_WRITERS, "Appointment", "u", "patch",
         data=lambda w: json.dumps([{"op": "replace", "path": "/status", "value": "cancelled"},
                                    {"op": "replace", "path": "/cancelationReason", "value": {"text": "Ill"}}]),
         content_type="application/json-patch+json"),
    fhir("PUT", "Appointment/{today.pk}", 200, DESK_API, "Appointment", "u", "update",
         body=lambda w: {**_appointment_resource(w), "id": str(w.today.pk), "status": "arrived",
                         "start": w.today.start.isoformat(), "end": w.today.end.isoformat(),
                         "participant": [{"actor": {"reference": f"Patient/{w.ana.pk}"}, "status": "accepted"},
                                         {"actor": {"reference": f"Practitioner/{w.doc.pk}"}, "status": "accepted"},
                                         {"actor": {"reference": f"Location/{w.home.pk}"}, "status": "accepted"}]},
         why="marking arrived is desk work"),
    fhir("GET", "Appointment/$find?service-type=follow-up&location=Location/{home.pk}", 200, SCHEDULE_API_READERS,
         "Appointment", "s", "$find", elsewhere=403),
    fhir("GET", "Coverage/{coverage.pk}", 200, PATIENT_API_READERS, "Coverage", "r", "read"),
    fhir("GET", "Coverage?patient={ana.pk}", 200, PATIENT_API_READERS, "Coverage", "s", "search-type",
         elsewhere=None),
    # insurance on file written and coverage checks asked over FHIR (#18)
    fhir("POST", "Coverage", 201, PATIENT_WRITERS, "Coverage", "c", "create", body=_coverage_resource,
         why="the insurance form's rule: the desk writes coverage"),
    fhir("PUT", "Coverage/{coverage.pk}", 200, PATIENT_WRITERS, "Coverage", "u", "update",
         body=lambda w: {**_coverage_resource(w), "id": str(w.coverage.pk), "order": 1}),
    fhir("POST", "CoverageEligibilityRequest", 201, INS_API_WRITERS, "CoverageEligibilityRequest", "c", "create",
         body=_eligibility_request, why="a check goes to the local drop folder in the matrix (batch: queued)"),
    fhir("GET", "CoverageEligibilityRequest/{eligibility.pk}", 200, INS_API_READERS, "CoverageEligibilityRequest",
         "r", "read"),
    fhir("GET", "CoverageEligibilityResponse/{eligibility.pk}", 200, INS_API_READERS,
         "CoverageEligibilityResponse", "r", "read"),
    fhir("GET", "CoverageEligibilityResponse?patient={ana.pk}", 200, INS_API_READERS,
         "CoverageEligibilityResponse", "s", "search-type", elsewhere=None),
    # referrals and prior authorizations as ServiceRequest (#18 item 10): insurance.read, chart in reach
    fhir("GET", "ServiceRequest/referral-{ins_referral.pk}", 200, INS_API_READERS, "ServiceRequest", "r", "read"),
    fhir("GET", "ServiceRequest/outgoing-{ins_outgoing.pk}", 200, INS_API_READERS, "ServiceRequest", "r", "read",
         case="outgoing referral"),
    fhir("GET", "ServiceRequest/authorization-{ins_authorization.pk}", 200, INS_API_READERS, "ServiceRequest", "r",
         "read", case="prior authorization"),
    fhir("GET", "ServiceRequest?patient={ana.pk}", 200, INS_API_READERS, "ServiceRequest", "s", "search-type",
         elsewhere=None, why="another location's users get an empty bundle: the chart is out of reach"),
    fhir("GET", "Flag/{ana_alert.pk}", 200, PATIENT_API_READERS, "Flag", "r", "read"),
    fhir("GET", "Flag?patient={ana.pk}&status=active", 200, PATIENT_API_READERS, "Flag", "s", "search-type",
         elsewhere=None),
    fhir("GET", "AuditEvent?_count=5", 200, AUDITORS, "AuditEvent", "s", "search-type"),
    fhir("GET", "AuditEvent/{audit_entry.pk}", 200, AUDITORS, "AuditEvent", "r", "read"),
    fhir("GET", "Schedule/" + SCHEDULE_ID, 200, SCHEDULE_API_READERS, "Schedule", "r", "read"),
    fhir("GET", "Schedule?actor=Practitioner/{doc.pk}", 200, SCHEDULE_API_READERS, "Schedule", "s", "search-type",
         elsewhere=None),
    fhir("GET", "Slot?schedule=Schedule/" + SCHEDULE_ID + "&start=ge2026-11-24&start=lt2026-11-25", 200,
         SCHEDULE_API_READERS, "Slot", "s", "search-type", elsewhere=None),
    fhir("GET", "Slot/" + "{slot_id}", 200, SCHEDULE_API_READERS, "Slot", "r", "read"),
    fhir("GET", "Practitioner/{doc.pk}", 200, DIRECTORY, "Practitioner", "r", "read", elsewhere=None,
         why="the practice directory (no patient data) is open to any token whose scopes name it"),
    fhir("GET", "Practitioner?family=Matrix", 200, DIRECTORY, "Practitioner", "s", "search-type", elsewhere=None),
    fhir("GET", "PractitionerRole/" + SCHEDULE_ID, 200, DIRECTORY, "PractitionerRole", "r", "read", elsewhere=None),
    fhir("GET", "PractitionerRole?location={home.pk}", 200, DIRECTORY, "PractitionerRole", "s", "search-type",
         elsewhere=None),
    fhir("GET", "Organization/{home.organization_id}", 200, DIRECTORY, "Organization", "r", "read", elsewhere=None),
    fhir("GET", "Organization", 200, DIRECTORY, "Organization", "s", "search-type", elsewhere=None),
    fhir("GET", "Location/{home.pk}", 200, DIRECTORY, "Location", "r", "read", elsewhere=None),
    fhir("GET", "Location", 200, DIRECTORY, "Location", "s", "search-type", elsewhere=None),
    fhir("GET", "HealthcareService/{kind.pk}", 200, DIRECTORY, "HealthcareService", "r", "read", elsewhere=None),
    fhir("GET", "HealthcareService", 200, DIRECTORY, "HealthcareService", "s", "search-type", elsewhere=None),
    fhir("GET", "StructureDefinition/clinicdesk-home-location", 200, DIRECTORY, "StructureDefinition", "r", "read",
         elsewhere=None, anon=200, who={SYSTEM: 200, SYSTEM_NARROW: 200, USER_NARROW: 200},
         why="a conformance resource (the extension this API defines) holds no data: no token or scope needed"),
]

# The rows of the set-up screens and their API (#14), one module per area, each with the objects it names.
from . import (  # noqa: E402 - they import this module's helpers, defined above
    rows_accounts_comms,
    rows_alerts,
    rows_billing,
    rows_budgets,
    rows_campaigns,
    rows_claims,
    rows_clia,
    rows_comms_compose,
    rows_compliance,
    rows_consent,
    rows_denials,
    rows_designsystem,
    rows_estimates,
    rows_faces,
    rows_first_run,
    rows_imports,
    rows_insight,
    rows_insurance,
    rows_operations,
    rows_outreach,
    rows_payers,
    rows_payment_reports,
    rows_portal,
    rows_practice,
    rows_scheduling_setup,
    rows_staffing,
    rows_statements,
)

AREAS = (rows_practice, rows_scheduling_setup, rows_faces, rows_accounts_comms, rows_first_run, rows_imports,
         rows_designsystem, rows_alerts, rows_insurance, rows_staffing, rows_insight,
         rows_operations, rows_budgets,
         rows_compliance, rows_portal, rows_outreach, rows_comms_compose, rows_billing, rows_payers,
         rows_clia,
         rows_payment_reports, rows_claims, rows_campaigns, rows_consent,
         rows_denials, rows_statements, rows_estimates)
for _area in AREAS:
    WEB_ROWS += _area.ROWS

ROWS = WEB_ROWS + FHIR_ROWS

# Routes of the URL conf that are not matrix rows, each with the reason.
EXEMPT: dict[str, str] = {}
