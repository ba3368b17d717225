"""Access-matrix rows for the insurance app (#18: electronic eligibility). See matrix.py for what a row means.

Coverage checks are read by the desk, billing and clinicians (insurance.read) and sent by the desk and billing
(insurance.write). The matrix world has no real-time clearinghouse: checks go to the local drop folder (batch
channel) and stay pending."""

from __future__ import annotations

from typing import Any

from .matrix import BILL, FD, NURSE, PC, PRC, PROV, Row, api, page, public

INS_READERS = frozenset({FD, PC, PRC, BILL, PROV, NURSE})
INS_WRITERS = frozenset({FD, PC, PRC, BILL})
RULE_EDITORS = frozenset({PRC, BILL})  # payer rules: the practice coordinator and billing (#18 item 1)
# The page looks the record up (hidden from another location) before the service refuses the write: a reader
# of another location without insurance.write gets the 404 of a missing record, not a 403.
HIDDEN_FIRST: dict[str, Any] = {"who": {"nurse@uptown": 404}}

ROWS: list[Row] = [
    page("GET", "/insurance/", 200, INS_READERS, elsewhere=None,
         why="each user's own locations' day; an Uptown user sees no Downtown patient"),
    page("POST", "/insurance/verify/{tomorrow.pk}", 302, INS_WRITERS),
    page("POST", "/insurance/batch", 302, INS_WRITERS, elsewhere=None, why="each user's own locations' day"),
    page("GET", "/insurance/results/{eligibility.pk}", 200, INS_READERS),
    api("POST", "/api/v1/eligibility/verify", 201, INS_WRITERS, body=lambda w: {"coverage": w.coverage.pk}),
    api("GET", "/api/v1/eligibility/results/{eligibility.pk}", 200, INS_READERS),
    api("GET", "/api/v1/eligibility/coverages/{coverage.pk}/latest", 200, INS_READERS),
    # referrals, prior authorizations, payer rules (#18 items 1, 6, 7)
    page("GET", "/insurance/patients/{ana.pk}/", 200, INS_READERS),
    page("POST", "/insurance/patients/{ana.pk}/referrals/new", 302, INS_WRITERS, data=lambda w: _referral_form()),
    page("POST", "/insurance/patients/{ana.pk}/outgoing/new", 302, INS_WRITERS,
         data=lambda w: {"location": str(w.home.pk), "specialist_name": "Dr. Matrix", "reason": "Knee"}),
    page("POST", "/insurance/patients/{ana.pk}/authorizations/new", 302, INS_WRITERS,
         data=lambda w: {"procedure_codes": "73721", "units_requested": "1", "requested_from": "2026-11-23",
                         "requested_to": "2026-12-31", "clinical_reason": "Knee"}),
    page("POST", "/insurance/referrals/{ins_referral.pk}/link", 302, INS_WRITERS, **HIDDEN_FIRST,
         data=lambda w: {"appointment": str(w.objects["tomorrow"].pk)}),
    page("POST", "/insurance/outgoing/{ins_outgoing.pk}/status", 302, INS_WRITERS, **HIDDEN_FIRST,
         data=lambda w: {"status": "received"}),
    page("GET", "/insurance/outgoing/{ins_outgoing.pk}/letter.pdf", 200, INS_READERS),
    page("POST", "/insurance/authorizations/{ins_authorization.pk}/decide", 302, INS_WRITERS, **HIDDEN_FIRST,
         data=lambda w: {"status": "approved", "auth_number": "PA-1", "units_approved": "1",
                         "valid_from": "2026-11-23", "valid_to": "2026-12-31"}),
    page("GET", "/insurance/worklist/", 200, INS_READERS, elsewhere=None,
         why="each user's own locations' patients; an Uptown user sees no Downtown patient"),
    page("GET", "/insurance/rules/", 200, INS_READERS, elsewhere=None, why="practice-wide rules, no patient data"),
    page("POST", "/insurance/rules/save", 302, RULE_EDITORS, elsewhere=None, why="practice-wide rules",
         data=lambda w: {"payer": str(w.coverage.payer_id), "procedure_code": "97110", "needs_prior_auth": "on"}),
    page("POST", "/insurance/rules/{ins_rule.pk}/delete", 302, RULE_EDITORS, elsewhere=None,
         why="practice-wide rules"),
    api("GET", "/api/v1/insurance/patients/{ana.pk}/referrals", 200, INS_READERS),
    api("POST", "/api/v1/insurance/referrals", 201, INS_WRITERS,
        body=lambda w: {"patient": w.objects["ana"].pk, "referringName": "Dr. Lee", "referringNpi": "1234567893",
                        "reason": "Knee", "visitsAuthorized": 2, "validFrom": "2026-11-01",
                        "validTo": "2027-01-31"}),
    api("POST", "/api/v1/insurance/outgoing-referrals", 201, INS_WRITERS,
        body=lambda w: {"patient": w.objects["ana"].pk, "location": w.home.pk, "specialistName": "Dr. Matrix",
                        "reason": "Knee"}),
    api("POST", "/api/v1/insurance/outgoing-referrals/{ins_outgoing.pk}/status", 200, INS_WRITERS,
        body=lambda w: {"status": "received"}),
    api("POST", "/api/v1/insurance/authorizations", 201, INS_WRITERS,
        body=lambda w: {"patient": w.objects["ana"].pk, "procedureCodes": ["73721"], "unitsRequested": 1,
                        "requestedFrom": "2026-11-23", "requestedTo": "2026-12-31", "clinicalReason": "Knee"}),
    api("POST", "/api/v1/insurance/authorizations/{ins_authorization.pk}/decision", 200, INS_WRITERS,
        body=lambda w: {"status": "denied"}),
    # surgery readiness, admissions and transfers (#18 items 8, 9)
    page("GET", "/insurance/readiness/", 200, INS_READERS, elsewhere=None,
         why="each user's own locations' visits; an Uptown user sees no Downtown patient"),
    page("GET", "/insurance/readiness/templates/", 200, INS_READERS, elsewhere=None, why="no patient data"),
    page("GET", "/insurance/readiness/{ins_packet.pk}/", 200, INS_READERS),
    page("POST", "/insurance/readiness/items/{ins_packet_item.pk}", 302, INS_WRITERS,
         data=lambda w: {"status": "done"}),
    page("GET", "/insurance/facilities/", 200, INS_READERS, elsewhere=None, why="practice-wide, no patient data"),
    page("POST", "/insurance/facilities/save", 302, RULE_EDITORS, elsewhere=None, why="practice-wide directory",
         data=lambda w: {"name": "Matrix General", "kind": "hospital"}),
    page("GET", "/insurance/transfers/", 200, INS_READERS, elsewhere=None,
         why="each user's own locations' patients; an Uptown user sees no Downtown patient"),
    page("GET", "/insurance/transfers/{ins_transfer.pk}/", 200, INS_READERS),
    page("POST", "/insurance/transfers/{ins_transfer.pk}/status", 302, INS_WRITERS,
         data=lambda w: {"status": "accepted"}),
    page("GET", "/insurance/transfers/{ins_transfer.pk}/packet.pdf", 200, INS_READERS),
    page("GET", "/insurance/transfers/{ins_transfer.pk}/bundle.json", 200, INS_READERS),
    api("GET", "/api/v1/insurance/readiness/packets/{ins_packet.pk}", 200, INS_READERS),
    api("GET", "/api/v1/insurance/transfers/{ins_transfer.pk}", 200, INS_READERS),
    api("POST", "/api/v1/insurance/transfers/{ins_transfer.pk}/status", 200, INS_WRITERS,
        body=lambda w: {"status": "declined"}),
    # readiness packets, facilities and transfers: the rest of the screens and the API (#18 items 8, 9)
    page("POST", "/insurance/readiness/open/{today.pk}", 302, INS_WRITERS, why="makes today's visit's packet"),
    page("POST", "/insurance/readiness/{ins_packet.pk}/send", 302, INS_WRITERS, data=lambda w: {"channel": "email"}),
    page("POST", "/insurance/readiness/templates/{kind.pk}", 302, RULE_EDITORS, elsewhere=None,
         data=lambda w: {"use_defaults": "on"}, why="practice-wide lists (as payer rules), no patient data"),
    public("GET", "/insurance/ready/{ins_ack_token}/", 200, case="valid link",
           why="the patient's acknowledgement page: the signed link is the credential, whoever is signed in; it "
               "shows the visit's day and place and the items, no name"),
    public("GET", "/insurance/ready/not-a-real-token/", 404, case="a wrong link"),
    public("POST", "/insurance/ready/not-a-real-token/", 404, case="a wrong link, acknowledge"),
    page("GET", "/insurance/patients/{ana.pk}/transfers/new", 200, INS_WRITERS,
         why="the form opens only for those who may save it (insurance.write)"),
    page("POST", "/insurance/patients/{ana.pk}/transfers/new", 302, INS_WRITERS, case="record",
         data=lambda w: {"location": str(w.home.pk), "facility": str(w.objects["ins_facility"].pk),
                         "kind": "transfer", "reason": "Rehab", "idempotency_key": ""}),
    page("POST", "/insurance/transfers/{ins_transfer.pk}/follow-up", 302, INS_WRITERS - {BILL},
         data=lambda w: {"title": "Call the facility", "due_date": "2026-11-30"},
         who={"billing@uptown": 404},  # another location's transfer is not found before any permission is asked
         why="a follow-up is a task in the desk's pool: billing records transfers but is not offered the form"),
    api("GET", "/api/v1/insurance/readiness", 200, INS_READERS, elsewhere=None,
        why="each user's own locations' visits"),
    api("POST", "/api/v1/insurance/readiness/packets", 201, INS_WRITERS,
        body=lambda w: {"appointment": w.objects["today"].pk}),
    api("POST", "/api/v1/insurance/readiness/packets/{ins_packet.pk}/send", 200, INS_WRITERS,
        body=lambda w: {"channel": "email"}),
    api("POST", "/api/v1/insurance/readiness/items/{ins_packet_item.pk}", 200, INS_WRITERS,
        body=lambda w: {"status": "done"}),
    api("GET", "/api/v1/insurance/facilities", 200, INS_READERS, elsewhere=None,
        why="practice-wide, no patient data"),
    api("POST", "/api/v1/insurance/facilities", 201, RULE_EDITORS, elsewhere=None, why="practice-wide directory",
        body=lambda w: {"name": "Matrix General", "kind": "hospital"}),
    api("POST", "/api/v1/insurance/transfers", 201, INS_WRITERS,
        body=lambda w: {"patient": w.objects["ana"].pk, "location": w.home.pk,
                        "facility": w.objects["ins_facility"].pk, "kind": "transfer", "reason": "Rehab"}),
    api("GET", "/api/v1/insurance/transfers/{ins_transfer.pk}/bundle", 200, INS_READERS),
    api("GET", "/api/v1/insurance/payer-rules", 200, INS_READERS, elsewhere=None),
    api("POST", "/api/v1/insurance/payer-rules", 201, RULE_EDITORS, elsewhere=None,
        body=lambda w: {"payer": w.coverage.payer_id, "procedureCode": "97110", "needsPriorAuth": True}),
]


def _referral_form() -> dict[str, str]:
    return {"referring_name": "Dr. Lee", "referring_npi": "1234567893", "reason": "Knee", "visits_authorized": "2",
            "valid_from": "2026-11-01", "valid_to": "2027-01-31"}


def objects(world: Any) -> dict[str, Any]:
    """An active eligibility answer for Ana's coverage."""
    import datetime as dt
    import tempfile

    from django.conf import settings

    from clinicdesk.insurance.models import EligibilityResult
    from clinicdesk.practice.models import Organization

    from .world import MOMENT, TOMORROW

    coverage = world.coverage
    # The practice's group NPI (the 270 names it), and drop folders of the matrix's own (the batch channel).
    Organization.objects.filter(pk=world.home.organization_id).update(npi="1234567893")
    settings.CLEARINGHOUSE_FOLDER_OUTBOUND = tempfile.mkdtemp(prefix="matrix-x12-out-")
    settings.CLEARINGHOUSE_FOLDER_INBOUND = tempfile.mkdtemp(prefix="matrix-x12-in-")
    result = EligibilityResult.objects.create(
        coverage=coverage, payer_name=coverage.payer.name, member_id=coverage.member_id, patient=coverage.patient,
        status="active", channel="realtime", trace_number="CDMATRIX0001", service_date=TOMORROW,
        coverage_fingerprint="matrix", plan="GOLD PPO", request_x12="ISA", requested_at=MOMENT,
        answered_at=MOMENT + dt.timedelta(seconds=2))
    return {"eligibility": result, **_referral_objects(world), **_care_objects(world)}


def _care_objects(world: Any) -> dict[str, Any]:
    """A readiness packet (one item to do) for Ana's visit tomorrow with the patient's link to it, and her transfer
    to a facility of the directory (requested)."""
    from clinicdesk.insurance.models import Facility, ReadinessItem, ReadinessPacket, Transfer
    from clinicdesk.insurance.services import link_url

    from .world import MOMENT, TODAY

    ana = world.objects["ana"]
    packet = ReadinessPacket.objects.create(appointment=world.objects["tomorrow"], patient=ana, location=world.home,
                                            link_nonce="matrix", created_at=MOMENT)
    facility = Facility.objects.create(name="Matrix Rehab", kind="rehab", updated_at=MOMENT)
    return {
        "ins_packet": packet,
        "ins_ack_token": link_url(packet).rsplit("/ready/", 1)[1].strip("/"),
        "ins_facility": facility,
        "ins_packet_item": ReadinessItem.objects.create(packet=packet, position=0, kind="labs"),
        "ins_transfer": Transfer.objects.create(patient=ana, location=world.home, facility=facility, kind="transfer",
                                                reason="Rehab", requested_on=TODAY, status_changed_at=MOMENT,
                                                created_at=MOMENT),
    }


def _referral_objects(world: Any) -> dict[str, Any]:
    """An incoming referral, an outgoing referral (sent), a requested authorization for Ana, and a payer rule."""
    from clinicdesk.insurance.models import OutgoingReferral, PayerRule, PriorAuthorization, Referral

    from .world import MOMENT, TODAY

    ana = world.objects["ana"]
    day = dt_days(TODAY)
    return {
        "ins_referral": Referral.objects.create(
            patient=ana, referring_name="Dr. Lee", referring_npi="1234567893", reason="Knee", visits_authorized=3,
            valid_from=day(-10), valid_to=day(60), created_at=MOMENT),
        "ins_outgoing": OutgoingReferral.objects.create(
            patient=ana, location=world.home, specialist_name="Dr. Ortho", reason="Knee", status="sent",
            status_changed_at=MOMENT, created_at=MOMENT),
        "ins_authorization": PriorAuthorization.objects.create(
            patient=ana, procedure_codes=["73721"], units_requested=1, requested_from=day(0),
            requested_to=day(30), clinical_reason="Knee", created_at=MOMENT),
        "ins_rule": PayerRule.objects.create(payer=world.coverage.payer, procedure_code="20610",
                                             needs_prior_auth=True, updated_at=MOMENT),
    }


def dt_days(start: Any) -> Any:
    import datetime as dt

    return lambda n: start + dt.timedelta(days=n)
