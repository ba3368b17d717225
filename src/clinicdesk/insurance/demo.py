"""The demo practice's eligibility checks: the demo builder calls `eligibility_demo` once appointments exist.

For the next day with booked appointments it verifies a dozen patients' primary coverage, without a network: each
270 is built as a real check builds it, the 271 comes from `x12.fake271` (what the tests' clearinghouse answers),
and the answer is stored by the same code that stores a real exchange's answer. So the results hold what a real
exchange would store: active with co-pay and deductible remaining, inactive, a rejection, a clearinghouse that
did not answer in time, and checks sent in the evening batch whose answers are still awaited.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable

from clinicdesk.audit.services import atomic_service
from clinicdesk.core import clock
from clinicdesk.core.permissions import Actor, Perm, require
from clinicdesk.patients.models import Coverage, Payer
from clinicdesk.practice.models import Location

from . import services
from .clearinghouse.core import ExchangeError
from .models import EligibilityChannel, EligibilityFailure
from .x12 import fake271

# What each checked appointment gets, in turn: every state of a result in the first seven (active, inactive,
# rejected, failed by a time-out and by a malformed answer, an answer for another patient, pending).
CASES = ("active", "inactive", "rejected", "timeout", "pending", "other-patient", "malformed", "active", "active",
         "pending", "active", "inactive")


@atomic_service
def eligibility_demo(*, actor: Actor, limit: int = len(CASES)) -> dict[str, int]:
    """Results for up to `limit` appointments on the next day (from tomorrow) that has some; returns the count
    per result status."""
    require(actor, Perm.INSURANCE_WRITE, resource_type="coverage")
    locations = list(Location.objects.order_by("pk"))
    today = clock.now().date()
    appointments = []
    for ahead in range(1, 15):  # tomorrow, or the next day with appointments (weekends, holidays)
        day = today + dt.timedelta(days=ahead)
        appointments = services.appointments_to_verify(day, locations)
        if appointments:
            break
    coverages: dict[int, Coverage] = {}
    for coverage in Coverage.objects.select_related("payer", "patient").filter(
            patient_id__in={a.patient_id for a in appointments}).exclude(payer__payer_code="").order_by(
            "order", "-start_date", "pk"):
        coverages.setdefault(coverage.patient_id, coverage)
    counts: Counter[str] = Counter()
    seen: set[int] = set()
    for appointment in appointments:
        primary = coverages.get(appointment.patient_id)
        if primary is None or appointment.patient_id in seen or len(seen) >= limit:
            continue
        service_date = appointment.start.astimezone(appointment.location.tz).date()
        if not primary.is_active_on(service_date):
            continue
        case = CASES[len(seen) % len(CASES)]
        seen.add(appointment.patient_id)
        channel = EligibilityChannel.FOLDER if case == "pending" else EligibilityChannel.REALTIME
        answer = None if case == "pending" else _demo_answer(case)  # pending: in tonight's batch file
        result = services.eligibility_offline(actor=actor, coverage=primary, appointment=appointment,
                                              channel=channel, service_date=service_date, answer=answer)
        counts[result.status] += 1
    return dict(counts)


def _demo_answer(case: str) -> Callable[[str], str | ExchangeError]:
    """What the tests' clearinghouse would answer to a 270 (a time-out, or a 271 for `case`)."""
    def answer(text: str) -> str | ExchangeError:
        if case == "timeout":
            return ExchangeError(EligibilityFailure.TIMEOUT, "No answer from the clearinghouse within 10 seconds.")
        return fake271.answer_271(text, case=case, created=clock.now().replace(tzinfo=None))
    return answer


# --- referrals, prior authorizations and payer rules (#18 items 1, 6, 7) ---------------------------------------

DEMO_NPIS = ("1234567893", "1003000126", "1245319599", "1588667638", "1497758544")


@atomic_service
def referrals_demo(*, actor: Actor) -> dict[str, int]:
    """Payer rules for the procedure and new-patient types, and through the services: incoming referrals (with
    visits left, used up, ending soon, ended), outgoing referrals in every status, prior authorizations in every
    status (one about to expire, one on its last unit). Returns counts."""
    from clinicdesk.scheduling.models import Appointment, AppointmentType

    from .models import OutgoingReferralStatus, PayerRule

    require(actor, Perm.INSURANCE_WRITE, resource_type="referral")
    today = clock.now().date()
    payers = list(Payer.objects.filter(active=True, pk__in=Coverage.objects.values("payer_id"))
                  .exclude(payer_code="").order_by("pk")[:3])
    types = {t.code: t for t in AppointmentType.objects.filter(code__in=["procedure", "new-patient"])}
    counts: Counter[str] = Counter()
    for index, payer in enumerate(payers):
        for code, referral, auth in (("new-patient", index % 2 == 0, False), ("procedure", False, True)):
            kind = types.get(code)
            if kind is None or PayerRule.objects.filter(payer=payer, appointment_type=kind).exists():
                continue
            services.payer_rule_save(actor=actor, data=services.RuleInput(
                payer_id=payer.pk, appointment_type_id=kind.pk, needs_referral=referral, needs_prior_auth=auth or
                not referral))
            counts["rules"] += 1
        if index == 0 and not PayerRule.objects.filter(payer=payer, procedure_code="73721").exists():
            services.payer_rule_save(actor=actor, data=services.RuleInput(
                payer_id=payer.pk, procedure_code="73721", needs_prior_auth=True, note="MRI of a lower joint"))
            counts["rules"] += 1
    # Not a restricted chart: staff reach those only by breaking the glass, which a demo does not do.
    covered = list(Coverage.objects.filter(payer__in=payers, patient__restricted=False).select_related("patient")
                   .order_by("pk")[:16])
    patients = []
    for coverage in covered:
        if coverage.patient not in patients:
            patients.append(coverage.patient)
    coming: dict[int, Appointment] = {}
    for appointment in Appointment.objects.filter(patient__in=patients, start__gte=clock.now(),
                                                  status="booked").order_by("start", "pk"):
        coming.setdefault(appointment.patient_id, appointment)
    day = dt.timedelta(days=1)
    # Incoming referrals: (visits authorized, used, valid from, valid to)
    shapes = [(6, 1, today - 30 * day, today + 150 * day), (2, 2, today - 60 * day, today + 60 * day),
              (4, 1, today - 80 * day, today + 9 * day), (3, 3, today - 200 * day, today - 10 * day),
              (1, 0, today - 5 * day, today + 120 * day)]
    for index, (visits, used, start, end) in enumerate(shapes):
        if index >= len(patients):
            break
        patient = patients[index]
        link = coming.get(patient.pk)
        link_ids = [link.pk] if link and used < visits and start <= link.start.date() <= end else []
        incoming = services.referral_add(actor=actor, idempotency_key=f"demo-referral-{patient.pk}-{index}",
                                         data=services.ReferralInput(
            patient_id=patient.pk, referring_name=f"Dr. {('Lee', 'Patel', 'Nguyen', 'Okafor', 'Ruiz')[index]}",
            referring_npi=DEMO_NPIS[index], reason=("Knee pain", "Diabetes follow-up", "Back pain",
                                                    "Skin lesion", "Shortness of breath")[index],
            diagnosis_codes=("M25.561", "E11.9", "M54.5", "L98.9", "R06.02")[index], visits_authorized=visits,
            valid_from=start, valid_to=end, payer_id=None, referral_number=f"RF{202600 + index}",
            appointment_ids=link_ids))
        for _ in range(used):
            if incoming.visits_used < incoming.visits_authorized:
                incoming = services.referral_record_visit(actor=actor, referral_id=incoming.pk)
        counts["referrals"] += 1
    # Outgoing referrals, one in each status.
    path = {"sent": [], "received": ["received"], "scheduled": ["received", "scheduled"],
            "seen": ["received", "scheduled", "seen"], "closed": ["closed"]}
    for index, status in enumerate(OutgoingReferralStatus.values):
        if index >= len(patients):
            break
        patient = patients[-1 - index]
        sent = services.outgoing_referral_send(actor=actor, idempotency_key=f"demo-outgoing-{patient.pk}-{index}",
                                               data=services.OutgoingInput(
            patient_id=patient.pk, location_id=patient.home_location_id,
            specialist_name=("Dr. Alvarez", "Dr. Brooks", "Dr. Chen", "Dr. Dubois", "Dr. Evans")[index],
            specialty=("Orthopedics", "Cardiology", "Dermatology", "Endocrinology", "Neurology")[index],
            specialist_npi=DEMO_NPIS[index], reason="Evaluation and treatment, please.",
            diagnosis_codes=("M17.11", "I10", "L98.9", "E11.9", "G43.909")[index], urgent=index == 1))
        for step in path[status]:
            services.outgoing_referral_set_status(actor=actor, referral_id=sent.pk, status=step)
        counts["outgoing"] += 1
    # Prior authorizations: requested, approved, partly approved, denied, expired, ending soon, last unit.
    cases = [("requested", None), ("approved", (6, 0, today - 10 * day, today + 80 * day)),
             ("partial", (2, 0, today, today + 60 * day)), ("denied", None),
             ("expired", (3, 1, today - 120 * day, today - 20 * day)),
             ("approved", (4, 1, today - 50 * day, today + 10 * day)), ("approved", (2, 1, today, today + 90 * day))]
    procedure = types.get("procedure")
    for index, (status, approval) in enumerate(cases):
        if index >= len(patients):
            break
        patient = patients[index % len(patients)]
        decision = None
        if approval is not None:
            units, _used, start, end = approval
            decision = services.Decision(status="approved" if status == "expired" else status,
                                         auth_number=f"PA{880000 + index}", units_approved=units,
                                         valid_from=start, valid_to=end)
        elif status == "denied":
            decision = services.Decision(status="denied", note="Conservative treatment first.")
        start = approval[2] if approval else today
        found = services.authorization_request(actor=actor, idempotency_key=f"demo-auth-{patient.pk}-{index}",
                                               data=services.AuthorizationInput(
            patient_id=patient.pk, procedure_codes=("73721", "20610", "97110", "73721", "20610", "97110",
                                                    "11042")[index],
            units_requested=(approval[0] + (2 if status == "partial" else 0)) if approval else 1,
            requested_from=start, requested_to=approval[3] if approval else today + 60 * day,
            clinical_reason="Failed six weeks of conservative treatment.",
            appointment_type_id=procedure.pk if procedure else None, decision=decision))
        if status == "expired":
            services.authorization_decide(actor=actor, authorization_id=found.pk,
                                          decision=services.Decision(status="expired"))
        counts["authorizations"] += 1
    return dict(counts)


# --- surgery readiness, admissions and transfers (#18 items 8, 9) ------------------------------------------------

DEMO_FACILITIES = (("Mercy General Hospital", "hospital", "1245319599", "555-0140"),
                   ("Riverside Rehabilitation Center", "rehab", "1588667638", "555-0150"),
                   ("Oak Hill Skilled Nursing", "snf", "1497758544", "555-0160"))


@atomic_service
def care_demo(*, actor: Actor) -> dict[str, int]:
    """Through the services: the standard readiness list for the procedure type, packets for the coming
    procedures (not started, partly confirmed, complete, sent, acknowledged), three facilities accepting the demo
    payers, and transfers in every status. Returns counts."""
    from clinicdesk.core.exceptions import DomainError
    from clinicdesk.scheduling.models import ACTIVE_STATUSES, Appointment, AppointmentType

    from .models import TransferStatus

    require(actor, Perm.INSURANCE_WRITE, resource_type="readiness")
    counts: Counter[str] = Counter()
    procedure = AppointmentType.objects.filter(code="procedure").first()
    if procedure is not None:
        services.readiness_template_save(actor=actor, appointment_type_id=procedure.pk,
                                         items=services.default_template())
        now = clock.now()
        coming = list(Appointment.objects.filter(appointment_type=procedure, status__in=ACTIVE_STATUSES,
                                                 start__gte=now, start__lt=now + dt.timedelta(days=14))
                      .order_by("start", "pk")[:8])
        for index, appointment in enumerate(coming):
            if index % 4 == 3:
                continue  # not started: on the board as "no packet yet"
            packet = services.readiness_packet_open(actor=actor, appointment_id=appointment.pk)
            items = list(packet.items.order_by("position"))
            confirm = len(items) if index % 4 == 2 else index % 4 * 3
            for item in items[:confirm]:
                services.readiness_item_set(actor=actor, item_id=item.pk,
                                            status="waived" if item.kind == "imaging" else "done")
            if index % 2 == 1 or confirm == len(items):
                try:
                    packet = services.readiness_packet_send(actor=actor, packet_id=packet.pk, channel="email")
                except DomainError:
                    continue  # the patient did not agree to e-mail: the desk calls them
                if confirm == len(items):
                    from .services.readiness import link_token

                    services.readiness_acknowledge(token=link_token(packet))
            counts["packets"] += 1
    payers = list(Payer.objects.filter(active=True, pk__in=Coverage.objects.values("payer_id")).order_by("pk")[:3])
    facilities = []
    for name, kind, npi, phone in DEMO_FACILITIES:
        from .models import Facility

        found = Facility.objects.filter(npi=npi).first()
        facilities.append(found or services.facility_save(actor=actor, data=services.FacilityInput(
            name=name, kind=kind, npi=npi, phone=phone, contact_name="Admissions office",
            payer_ids=[p.pk for p in payers])))
        counts["facilities"] += int(found is None)
    patients = list(Coverage.objects.filter(payer__in=payers).select_related("patient")
                    .order_by("-pk").values_list("patient_id", "patient__home_location_id")[:5])
    paths = {"requested": [], "accepted": ["accepted"], "scheduled": ["accepted", "scheduled"],
             "completed": ["accepted", "scheduled", "completed"], "declined": ["declined"]}
    today = clock.now().date()
    for index, status in enumerate(TransferStatus.values):
        if index >= len(patients):
            break
        patient_id, location_id = patients[index]
        made = services.transfer_request(actor=actor, idempotency_key=f"demo-transfer-{patient_id}-{index}",
                                         data=services.TransferInput(
            patient_id=patient_id, location_id=location_id, facility_id=facilities[index % 3].pk,
            kind="admission" if index % 3 == 0 else "transfer",
            reason=("Elective hip replacement", "Rehabilitation after a stroke", "Wound care after surgery",
                    "Knee replacement", "Cardiac evaluation")[index],
            diagnosis_codes=("M16.11", "I63.9", "T81.31XA", "M17.11", "R07.9")[index], requested_on=today))
        for step in paths[status]:
            services.transfer_set_status(actor=actor, transfer_id=made.pk, status=step,
                                         planned_for=today + dt.timedelta(days=7) if step == "scheduled" else None)
        counts["transfers"] += 1
    return dict(counts)
