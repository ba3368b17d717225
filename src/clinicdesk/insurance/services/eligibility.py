"""Electronic eligibility: send a 270 for a coverage through the clearinghouse and keep what the 271 says.

Three steps, so that no database transaction waits on the network: `_prepare` (permission, coverage, the 270,
a PENDING result, audited) commits; the exchange runs outside any transaction (real time: several at once, on
`CLEARINGHOUSE_CONNECTIONS` connections); `_apply` stores the answer (audited). A time-out, a refusal, an answer
that cannot be read or an answer about another patient is stored as such (FAILED or MISMATCH) and never as
ACTIVE. Batch channels (SFTP, local folder) put the 270s in the outbound folder; `eligibility_collect` reads the
271s that came back and completes the pending results by their trace numbers.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from clinicdesk.audit.services import atomic_service, record
from clinicdesk.core import clock
from clinicdesk.core.exceptions import NotFound, ValidationFailed
from clinicdesk.core.permissions import Actor, Perm, SystemActor, require, staff_user
from clinicdesk.patients.models import Coverage, SubscriberRelationship
from clinicdesk.patients.selectors import patient_in_reach
from clinicdesk.practice.models import Location
from clinicdesk.practice.selectors import organization_current
from clinicdesk.scheduling.models import Appointment, AppointmentStatus

from ..clearinghouse.batch import DropFolder, LocalFolder, SftpFolder
from ..clearinghouse.core import CoreClient, CoreConfig, ExchangeError
from ..models import (
    EligibilityBenefit,
    EligibilityChannel,
    EligibilityFailure,
    EligibilityResult,
    EligibilityStatus,
    ServiceTypeRule,
)
from ..x12 import e270, e271
from ..x12.envelope import X12Error, read

log = logging.getLogger(__name__)

SYSTEM = SystemActor("eligibility", frozenset({Perm.INSURANCE_READ, Perm.INSURANCE_WRITE, Perm.PATIENT_READ}))
_SEX = {"female": "F", "male": "M"}
APPLY_CHUNK = 50  # answers stored per transaction in a batch
SETTLED = (EligibilityStatus.ACTIVE, EligibilityStatus.INACTIVE)
_LIVE = (AppointmentStatus.BOOKED, AppointmentStatus.PENDING, AppointmentStatus.ARRIVED,
         AppointmentStatus.CHECKED_IN)


# --- what is asked ---------------------------------------------------------------------------------------

def coverage_fingerprint(coverage: Coverage) -> str:
    """A digest of what a 270 is built from: a coverage changed since a result asks for a new one."""
    parts = [coverage.payer_id, coverage.payer.payer_code, coverage.member_id, coverage.group_number,
             coverage.relationship, coverage.subscriber_family_name, coverage.subscriber_given_name,
             coverage.subscriber_birth_date, coverage.start_date, coverage.end_date, coverage.patient_id]
    return hashlib.sha256("|".join(str(p) for p in parts).encode()).hexdigest()


def service_types_for(appointment: Appointment | None) -> list[str]:
    """The service type codes asked about for an appointment's type; 30 when there is no rule."""
    if appointment is not None:
        rule = ServiceTypeRule.objects.filter(appointment_type_id=appointment.appointment_type_id).first()
        if rule is not None and rule.service_types:
            return [str(code) for code in rule.service_types]
    return [e270.DEFAULT_SERVICE_TYPE]


def partners() -> e270.Partners:
    return e270.Partners(sender_id=settings.CLEARINGHOUSE_SENDER_ID, receiver_id=settings.CLEARINGHOUSE_RECEIVER_ID,
                         usage=settings.CLEARINGHOUSE_USAGE)


def _provider() -> tuple[str, str]:
    organization = organization_current()
    npi = (organization.npi if organization else "") or ""
    if len(npi) != 10 or not npi.isdigit():
        raise ValidationFailed("no-npi", _("The practice's group NPI is missing: set it in the organization's "
                                           "settings before verifying coverage."))
    return (organization.name if organization else settings.PRACTICE_SHORT_NAME), npi


def _inquiry_for(coverage: Coverage, *, service_date: dt.date, service_types: Sequence[str],
                trace_number: str) -> e270.Inquiry:
    payer = coverage.payer
    if not payer.payer_code:
        raise ValidationFailed("no-payer-id", _("%(payer)s has no electronic payer id: ask the payer or the "
                                                "clearinghouse for it and add it to the payer.")
                               % {"payer": payer.name})
    patient = coverage.patient
    me = e270.Person(family_name=patient.family_name, given_name=patient.given_name, birth_date=patient.birth_date,
                     sex=_SEX.get(patient.sex, ""), member_id=coverage.member_id)
    if coverage.relationship == SubscriberRelationship.SELF:
        subscriber, dependent = me, None
    else:
        subscriber = e270.Person(family_name=coverage.subscriber_family_name,
                                 given_name=coverage.subscriber_given_name, birth_date=coverage.subscriber_birth_date,
                                 sex=_SEX.get(coverage.subscriber_sex, ""), member_id=coverage.member_id)
        dependent = e270.Person(family_name=me.family_name, given_name=me.given_name, birth_date=me.birth_date,
                                sex=me.sex)
    name, npi = _provider()
    return e270.Inquiry(trace_number=trace_number, payer_name=payer.name, payer_id=payer.payer_code,
                        provider_name=name, provider_npi=npi, subscriber=subscriber, dependent=dependent,
                        service_date=service_date, service_types=tuple(service_types),
                        group_number=coverage.group_number)


def _trace() -> str:
    return "CD" + uuid.uuid4().hex[:18].upper()


def _channel(channel: str) -> str:
    if channel not in EligibilityChannel.values:
        raise ValidationFailed("bad-channel", _("Choose a channel: real time, SFTP or local folder."),
                               fields={"channel": [_("Unknown channel.")]})
    return channel


# --- prepare / exchange / apply ------------------------------------------------------------------------------

@dataclass
class Prepared:
    result: EligibilityResult
    inquiry: e270.Inquiry
    text: str = ""


def _prepare(actor: Actor, coverage: Coverage, *, appointment: Appointment | None, channel: str,
             service_date: dt.date, created: dt.datetime) -> Prepared:
    """Inside the caller's transaction: a PENDING result holding the 270, audited."""
    trace = _trace()
    service_types = service_types_for(appointment)
    inquiry = _inquiry_for(coverage, service_date=service_date, service_types=service_types, trace_number=trace)
    text = e270.build([inquiry], partners=partners(), control_number=int(trace[2:10], 16) % 10**9,
                      created=created)
    result = EligibilityResult.objects.create(
        coverage=coverage, payer_name=coverage.payer.name, member_id=coverage.member_id,
        patient_id=coverage.patient_id, appointment=appointment, channel=channel, trace_number=trace,
        service_date=service_date, service_types=service_types, coverage_fingerprint=coverage_fingerprint(coverage),
        request_x12=text, requested_at=created, requested_by=staff_user(actor))
    record(actor, "eligibility.request", result, patient=coverage.patient_id,
           detail={"channel": channel, "trace": trace, "payer": coverage.payer.name, "service_types": service_types})
    return Prepared(result=result, inquiry=inquiry, text=text)


def _same_person(answer: e271.Answer, inquiry: e270.Inquiry) -> bool:
    asked = inquiry.dependent or inquiry.subscriber
    person = answer.dependent if answer.dependent is not None else answer.subscriber
    family = (person.get("family_name") or "").strip().upper()
    if family and family != e270._clean(asked.family_name, 60):
        return False
    member = (answer.subscriber.get("member_id") or "").strip().upper()
    return not member or member == e270._clean(inquiry.subscriber.member_id, 80)


def _fill(result: EligibilityResult, answer: e271.Answer) -> list[EligibilityBenefit]:
    result.plan = answer.plan[:120]
    result.group_number = answer.group_number[:50]
    for name in ("plan_begin", "plan_end"):
        value = answer.dates.get(name) or (answer.dates.get("plan", "").split("-")[0] if name == "plan_begin" else "")
        try:
            setattr(result, name, dt.date.fromisoformat(value) if value else None)
        except ValueError:
            setattr(result, name, None)
    copay = answer.first("B", "98") or answer.first("B")
    coinsurance = answer.first("A", "98") or answer.first("A")
    result.copay = _money(copay.amount) if copay else None
    result.coinsurance_percent = coinsurance.percent if coinsurance else None
    result.deductible_remaining = _money(answer.remaining("C"))
    result.out_of_pocket_remaining = _money(answer.remaining("G"))
    result.rejections = [{"code": r.code, "action": r.action, "level": r.level} for r in answer.rejections]
    return [EligibilityBenefit(
        result=result, position=i, info=b.info[:2], coverage_level=b.coverage_level[:3],
        service_types=b.service_types, insurance_type=b.insurance_type[:3], plan=b.plan[:50], period=b.period[:2],
        amount=_money(b.amount), percent=b.percent, quantity_qualifier=b.quantity_qualifier[:2],
        quantity=b.quantity, in_network=b.in_network, level=b.level, visit_limits=b.visit_limits,
        messages=b.messages[:20]) for i, b in enumerate(answer.benefits)]


def _money(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.quantize(Decimal("0.01"))


def _fail(result: EligibilityResult, kind: str, detail: str) -> None:
    result.status = EligibilityStatus.MISMATCH if kind == EligibilityFailure.MISMATCH else EligibilityStatus.FAILED
    result.failure, result.failure_detail = kind, detail[:300]


def _apply(actor: Actor, prepared: Prepared, *, text: str | None, error: ExchangeError | None,
           answer: e271.Answer | None = None) -> EligibilityResult:
    """Store what came back (inside a transaction): the answer, or why there is none."""
    result = prepared.result
    result.answered_at = clock.now()
    result.response_x12 = (text or "")[:200_000]
    benefits: list[EligibilityBenefit] = []
    if error is not None:
        _fail(result, error.kind, error.detail)
    else:
        if answer is None:
            try:
                answers = e271.read(text or "")
            except X12Error as bad:
                answers = []
                _fail(result, EligibilityFailure.MALFORMED, str(bad))
            else:
                answer = next((a for a in answers if a.trace_number == result.trace_number), None)
                if answer is None:
                    _fail(result, EligibilityFailure.MISMATCH,
                          _("The answer does not carry this request's trace number."))
        if answer is not None:
            if not _same_person(answer, prepared.inquiry):
                _fail(result, EligibilityFailure.MISMATCH, _("The answer names another person."))
            else:
                try:
                    benefits = _fill(result, answer)
                except (ArithmeticError, ValueError) as bad:
                    _fail(result, EligibilityFailure.MALFORMED, str(bad))
                else:
                    if answer.rejections:
                        result.status = EligibilityStatus.REJECTED
                    elif answer.active:
                        result.status = EligibilityStatus.ACTIVE
                    elif answer.inactive:
                        result.status = EligibilityStatus.INACTIVE
                    else:
                        benefits = []
                        _fail(result, EligibilityFailure.MALFORMED,
                              _("The answer does not say whether the coverage is active."))
    result.save()
    if benefits:
        EligibilityBenefit.objects.bulk_create(benefits)
    record(actor, "eligibility.answer", result, patient=result.patient_id,
           detail={"status": result.status, "failure": result.failure, "trace": result.trace_number,
                   "rejections": [r["code"] for r in result.rejections]})
    return result


def _core_client() -> CoreClient:
    if not settings.CLEARINGHOUSE_CORE_URL:
        raise ValidationFailed("no-clearinghouse", _("No clearinghouse is set up for real-time checks "
                                                     "(CLEARINGHOUSE_CORE_URL)."))
    config = CoreConfig(url=settings.CLEARINGHOUSE_CORE_URL, sender_id=settings.CLEARINGHOUSE_SENDER_ID,
                        receiver_id=settings.CLEARINGHOUSE_RECEIVER_ID, username=settings.CLEARINGHOUSE_USERNAME,
                        password=settings.CLEARINGHOUSE_PASSWORD,
                        timeout=float(settings.CLEARINGHOUSE_TIMEOUT_SECONDS))
    return CoreClient(config, connections=settings.CLEARINGHOUSE_CONNECTIONS)


def _drop_folder(channel: str) -> DropFolder:
    if channel == EligibilityChannel.SFTP:
        if not settings.CLEARINGHOUSE_SFTP_HOST or not settings.CLEARINGHOUSE_SFTP_KNOWN_HOSTS:
            raise ValidationFailed("no-clearinghouse", _("No SFTP clearinghouse is set up "
                                                         "(CLEARINGHOUSE_SFTP_HOST, CLEARINGHOUSE_SFTP_KNOWN_HOSTS)."))
        return SftpFolder(host=settings.CLEARINGHOUSE_SFTP_HOST, port=settings.CLEARINGHOUSE_SFTP_PORT,
                          username=settings.CLEARINGHOUSE_SFTP_USERNAME, password=settings.CLEARINGHOUSE_SFTP_PASSWORD,
                          known_hosts=settings.CLEARINGHOUSE_SFTP_KNOWN_HOSTS,
                          outbound=settings.CLEARINGHOUSE_SFTP_OUTBOUND, inbound=settings.CLEARINGHOUSE_SFTP_INBOUND,
                          timeout=float(settings.CLEARINGHOUSE_TIMEOUT_SECONDS),
                          client_key=settings.CLEARINGHOUSE_SFTP_KEY)
    return LocalFolder(outbound=Path(settings.CLEARINGHOUSE_FOLDER_OUTBOUND),
                       inbound=Path(settings.CLEARINGHOUSE_FOLDER_INBOUND))


def _require_channel_ready(channel: str) -> None:
    """Refuse (nothing written) when the channel has no clearinghouse set up."""
    if channel == EligibilityChannel.REALTIME:
        _core_client().close()
    elif channel == EligibilityChannel.SFTP:
        _drop_folder(channel)


def _exchange(prepared: list[Prepared]) -> Iterator[tuple[Prepared, str | None, ExchangeError | None]]:
    """Real time: every 270 to the clearinghouse, up to CLEARINGHOUSE_CONNECTIONS at once (no database here).
    Answers come back in order as they arrive, so the caller stores them while the rest are still on the wire."""
    if not prepared:
        return
    with _core_client() as client:
        def one(item: Prepared) -> tuple[Prepared, str | None, ExchangeError | None]:
            try:
                return item, client.exchange(item.text), None
            except ExchangeError as error:
                return item, None, error

        workers = min(settings.CLEARINGHOUSE_CONNECTIONS, len(prepared))
        if workers == 1:
            yield from (one(item) for item in prepared)
            return
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="eligibility") as pool:
            yield from pool.map(one, prepared)


def _send_batch(prepared: list[Prepared], channel: str, created: dt.datetime) -> str:
    """Batch: one interchange holding every 270, dropped in the outbound folder; returns the file name."""
    inquiries = [p.inquiry for p in prepared]
    number = int(prepared[0].result.trace_number[2:10], 16) % 10**9
    text = e270.build(inquiries, partners=partners(), control_number=number, created=created)
    name = f"270-{created.strftime('%Y%m%d%H%M%S')}-{prepared[0].result.trace_number}.x12"
    _drop_folder(channel).put(name, text)
    return name


# --- the services -------------------------------------------------------------------------------------------

def _coverage(actor: Actor, *, coverage_id: Any = None, patient_id: Any = None, day: dt.date) -> Coverage:
    if coverage_id is not None:
        found = Coverage.objects.filter(pk=coverage_id).only("patient_id").first() \
            if str(coverage_id).isdigit() else None
        if found is None:
            raise NotFound()
        patient_id = found.patient_id
    if patient_id is None:
        raise ValidationFailed("missing-field", _("Choose a coverage or a patient."))
    patient = patient_in_reach(actor, patient_id, perm=Perm.INSURANCE_WRITE, record=True, current=True)
    coverages = Coverage.objects.select_related("payer", "patient").filter(patient=patient)
    if coverage_id is not None:
        coverage = coverages.filter(pk=coverage_id).first()
    else:
        coverage = next((c for c in coverages.order_by("order", "-start_date") if c.is_active_on(day)), None)
    if coverage is None:
        raise ValidationFailed("no-coverage", _("This patient has no coverage on file for %(day)s.")
                               % {"day": day.isoformat()})
    return coverage


def eligibility_verify(*, actor: Actor, coverage_id: int | None = None, patient_id: int | None = None,
                       appointment_id: int | None = None, channel: str = EligibilityChannel.REALTIME,
                       service_date: dt.date | None = None) -> EligibilityResult:
    """Verify one coverage (or the patient's first coverage active on the day). Real time: the answer is stored
    before this returns; batch channels: the result stays PENDING until `eligibility_collect`."""
    channel = _channel(channel)
    created = clock.now()
    prepared = _verify_prepare(actor=actor, coverage_id=coverage_id, patient_id=patient_id,
                               appointment_id=appointment_id, channel=channel, service_date=service_date,
                               created=created)
    if channel == EligibilityChannel.REALTIME:
        ((_item, text, error),) = list(_exchange([prepared]))
        return _verify_apply(actor=actor, prepared=prepared, text=text, error=error)
    try:
        _send_batch([prepared], channel, created)
    except ExchangeError as error:
        return _verify_apply(actor=actor, prepared=prepared, text=None, error=error)
    return prepared.result


@atomic_service
def _verify_prepare(*, actor: Actor, coverage_id: int | None, patient_id: int | None, appointment_id: int | None,
                    channel: str, service_date: dt.date | None, created: dt.datetime) -> Prepared:
    require(actor, Perm.INSURANCE_WRITE, resource_type="coverage", resource_id=coverage_id or "")
    appointment = None
    if appointment_id is not None:
        appointment = Appointment.objects.select_related("location").filter(pk=appointment_id).first() \
            if str(appointment_id).isdigit() else None
        if appointment is None:
            raise NotFound()
        require(actor, Perm.INSURANCE_WRITE, location=appointment.location_id, resource_type="appointment",
                resource_id=appointment.pk, patient_id=appointment.patient_id, hide=True)
        patient_id = appointment.patient_id
        zone = ZoneInfo(appointment.location.time_zone or settings.TIME_ZONE)
        service_date = service_date or appointment.start.astimezone(zone).date()
    day = service_date or clock.today_in(ZoneInfo(settings.TIME_ZONE))
    coverage = _coverage(actor, coverage_id=coverage_id, patient_id=patient_id, day=day)
    if appointment is not None and appointment.patient_id != coverage.patient_id:
        raise ValidationFailed("wrong-patient", _("This coverage is not the appointment's patient's."))
    _require_channel_ready(channel)
    return _prepare(actor, coverage, appointment=appointment, channel=channel, service_date=day, created=created)


@atomic_service
def _verify_apply(*, actor: Actor, prepared: Prepared, text: str | None,
                  error: ExchangeError | None) -> EligibilityResult:
    return _apply(actor, prepared, text=text, error=error)


@dataclass
class BatchReport:
    day: dt.date
    asked: int = 0
    skipped_fresh: int = 0
    no_coverage: int = 0
    refused: int = 0  # no payer id, no NPI: nothing sent
    by_status: dict[str, int] = field(default_factory=dict)
    file: str = ""


def _appointments_on(day: dt.date, locations: Iterable[Location]) -> list[Appointment]:
    found: list[Appointment] = []
    for location in locations:
        zone = ZoneInfo(location.time_zone or settings.TIME_ZONE)
        start = dt.datetime.combine(day, dt.time.min, tzinfo=zone)
        found += list(Appointment.objects.filter(location=location, start__gte=start,
                                                 start__lt=start + dt.timedelta(days=1), status__in=_LIVE)
                      .select_related("appointment_type").order_by("start", "pk"))
    return found


def is_fresh(result: EligibilityResult | None, coverage: Coverage, *, today: dt.date) -> bool:
    """A settled answer (active or inactive), about the coverage as it is now, younger than the practice's limit."""
    if result is None or result.status not in SETTLED:
        return False
    if result.coverage_fingerprint != coverage_fingerprint(coverage):
        return False
    return (today - result.requested_at.date()).days <= settings.ELIGIBILITY_MAX_AGE_DAYS


def eligibility_batch_for_date(*, actor: Actor, day: dt.date, channel: str = EligibilityChannel.REALTIME,
                               force: bool = False) -> BatchReport:
    """Verify the primary coverage of every patient booked on `day` at the locations the actor works at. A
    coverage with a fresh settled answer is skipped (unless `force`), so the evening job may run twice."""
    require(actor, Perm.INSURANCE_WRITE)
    channel = _channel(channel)
    report = BatchReport(day=day)
    _require_channel_ready(channel)
    locations = [loc for loc in Location.objects.order_by("pk") if actor.works_at(loc.pk)]
    created = clock.now()
    prepared: list[Prepared] = []
    with transaction.atomic():
        appointments = _appointments_on(day, locations)
        patient_ids = {a.patient_id for a in appointments}
        coverages: dict[int, Coverage] = {}
        for coverage in (Coverage.objects.filter(patient_id__in=patient_ids).select_related("payer", "patient")
                         .order_by("patient_id", "order", "-start_date")):
            if coverage.is_active_on(day) and coverage.patient_id not in coverages:
                coverages[coverage.patient_id] = coverage
        latest = _latest_by_coverage([c.pk for c in coverages.values()])
        today = created.date()
        seen: set[int] = set()
        for appointment in appointments:
            booked = coverages.get(appointment.patient_id)
            if booked is None:
                report.no_coverage += 1
                continue
            if booked.pk in seen:
                continue
            seen.add(booked.pk)
            if not force and is_fresh(latest.get(booked.pk), booked, today=today):
                report.skipped_fresh += 1
                continue
            try:
                with transaction.atomic():
                    prepared.append(_prepare(actor, booked, appointment=appointment, channel=channel,
                                             service_date=day, created=created))
            except ValidationFailed:
                report.refused += 1
    report.asked = len(prepared)
    if channel == EligibilityChannel.REALTIME:
        # Stored in chunks (one transaction, one audit seal per chunk) while later answers are still coming.
        chunk: list[tuple[Prepared, str | None, ExchangeError | None]] = []
        for outcome in _exchange(prepared):
            chunk.append(outcome)
            if len(chunk) == APPLY_CHUNK:
                _apply_chunk(actor, chunk, report)
                chunk = []
        _apply_chunk(actor, chunk, report)
    elif prepared:
        try:
            report.file = _send_batch(prepared, channel, created)
            report.by_status[EligibilityStatus.PENDING] = len(prepared)
        except ExchangeError as error:
            for item in prepared:
                with transaction.atomic():
                    _apply(actor, item, text=None, error=error)
            report.by_status[EligibilityStatus.FAILED] = len(prepared)
    return report


def _apply_chunk(actor: Actor, chunk: list[tuple[Prepared, str | None, ExchangeError | None]],
                 report: BatchReport) -> None:
    if not chunk:
        return
    with transaction.atomic():
        for item, text, error in chunk:
            result = _apply(actor, item, text=text, error=error)
            report.by_status[result.status] = report.by_status.get(result.status, 0) + 1


def _latest_by_coverage(coverage_ids: Sequence[int]) -> dict[int, EligibilityResult]:
    latest: dict[int, EligibilityResult] = {}
    for result in EligibilityResult.objects.filter(coverage_id__in=coverage_ids).order_by("-requested_at", "-pk"):
        if result.coverage_id is not None:
            latest.setdefault(result.coverage_id, result)
    return latest


@dataclass
class CollectReport:
    files: int = 0
    answered: int = 0
    unreadable: list[str] = field(default_factory=list)
    unmatched: int = 0  # answers whose trace number is not one of our pending requests


def eligibility_collect(*, actor: Actor, channel: str) -> CollectReport:
    """Batch channels: read every 271 interchange in the inbound folder and complete the pending results."""
    require(actor, Perm.INSURANCE_WRITE)
    channel = _channel(channel)
    if channel == EligibilityChannel.REALTIME:
        raise ValidationFailed("bad-channel", _("Real-time answers come back at once; nothing to collect."))
    report = CollectReport()
    for name, text in _drop_folder(channel).take():
        report.files += 1
        try:
            answers = e271.read(text)
        except X12Error as error:
            log.warning("eligibility: unreadable file %s from the clearinghouse: %s", name, error)
            report.unreadable.append(name)
            continue
        for answer in answers:
            with transaction.atomic():
                result = (EligibilityResult.objects.select_for_update(of=("self",)).select_related("coverage__payer",
                                                                                       "coverage__patient")
                          .filter(trace_number=answer.trace_number, status=EligibilityStatus.PENDING,
                                  channel=channel).first() if answer.trace_number else None)
                if result is None or result.coverage is None:
                    report.unmatched += 1
                    continue
                _apply(actor, Prepared(result=result, inquiry=_asked(result)), text=text, error=None, answer=answer)
                report.answered += 1
    return report


def _asked(result: EligibilityResult) -> e270.Inquiry:
    """The inquiry as it was sent, read back from the stored 270 (the coverage may have changed since)."""
    interchange = read(result.request_x12)
    sent = e270.read_transaction(interchange.transactions[0], interchange)
    sub = e270.Person(family_name=sent.subscriber.get("family_name", ""),
                      given_name=sent.subscriber.get("given_name", ""), member_id=sent.subscriber.get("member_id", ""))
    dep = None
    if sent.dependent is not None:
        dep = e270.Person(family_name=sent.dependent.get("family_name", ""),
                          given_name=sent.dependent.get("given_name", ""))
    return e270.Inquiry(trace_number=result.trace_number, payer_name=sent.payer_name, payer_id=sent.payer_id,
                        provider_name=sent.provider_name, provider_npi=sent.provider_npi, subscriber=sub,
                        dependent=dep)


@atomic_service
def eligibility_expire_pending(*, actor: Actor, older_than_hours: int = 24) -> int:
    """Batch requests with no answer after `older_than_hours`: FAILED (time-out), so the desk asks again."""
    require(actor, Perm.INSURANCE_WRITE)
    cutoff = clock.now() - dt.timedelta(hours=older_than_hours)
    stale = list(EligibilityResult.objects.select_for_update()
                 .filter(status=EligibilityStatus.PENDING, requested_at__lt=cutoff).order_by("pk"))
    for result in stale:
        _fail(result, EligibilityFailure.TIMEOUT, _("No answer came back from the clearinghouse."))
        result.answered_at = clock.now()
        result.save(update_fields=["status", "failure", "failure_detail", "answered_at"])
        record(actor, "eligibility.answer", result, patient=result.patient_id,
               detail={"status": result.status, "failure": result.failure, "trace": result.trace_number})
    return len(stale)


def default_channel() -> str:
    """Real time when a CORE endpoint is set up, else the SFTP drop folders, else the local folders."""
    if settings.CLEARINGHOUSE_CORE_URL:
        return EligibilityChannel.REALTIME
    return EligibilityChannel.SFTP if settings.CLEARINGHOUSE_SFTP_HOST else EligibilityChannel.FOLDER


def eligibility_tomorrow() -> BatchReport:
    """The evening job: tomorrow's schedule, by the system, on the practice's channel."""
    tomorrow = clock.today_in(ZoneInfo(settings.TIME_ZONE)) + dt.timedelta(days=1)
    return eligibility_batch_for_date(actor=SYSTEM, day=tomorrow, channel=default_channel())


def evening_batch_due() -> bool:
    """The ticker's cheap check: from ELIGIBILITY_BATCH_HOUR (default 18) local time until midnight."""
    hour = getattr(settings, "ELIGIBILITY_BATCH_HOUR", 18)
    return clock.now().astimezone(ZoneInfo(settings.TIME_ZONE)).hour >= hour


def appointments_to_verify(day: dt.date, locations: Iterable[Location]) -> list[Appointment]:
    """The live appointments on `day` at `locations` whose coverage the evening batch asks about."""
    return _appointments_on(day, locations)


def eligibility_offline(*, actor: Actor, coverage: Coverage, appointment: Appointment | None, channel: str,
                        service_date: dt.date, answer: Callable[[str], str | ExchangeError] | None
                        ) -> EligibilityResult:
    """A check without a network (the demo practice, inside the caller's transaction): the 270 is built and
    stored as a real check stores it; `answer(request_text)` gives the 271 text or the exchange error, stored by
    the same code as a real answer. `answer=None` leaves the check pending (an overnight batch file)."""
    prepared = _prepare(actor, coverage, appointment=appointment, channel=channel, service_date=service_date,
                        created=clock.now())
    if answer is None:
        return prepared.result
    reply = answer(prepared.text)
    if isinstance(reply, ExchangeError):
        return _apply(actor, prepared, text=None, error=reply)
    return _apply(actor, prepared, text=reply, error=None)
