"""Reads of patient data. Every read that shows a patient is audited here."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.core.files.storage import default_storage
from django.db import connection
from django.db.models import Prefetch, Q, QuerySet
from django.utils import translation
from django.utils.translation import gettext as _
from rapidfuzz.distance import JaroWinkler

from clinicdesk.audit.services import atomic_service, record
from clinicdesk.core import clock
from clinicdesk.core.exceptions import NotFound
from clinicdesk.core.identifiers import luhn_valid
from clinicdesk.core.permissions import Actor, Perm, has_perm, require
from clinicdesk.core.text import digits, family_key, fold_name
from clinicdesk.practice.models import Location
from clinicdesk.scheduling.models import Appointment

from .candidates import Match, find_matches
from .keys import phone_key, sound
from .matching import Person
from .merge_scope import pairs_in_scope, require_charts_in_reach, require_duplicate_review, require_pair_in_scope
from .models import (
    AlertKind,
    BreakGlassAccess,
    Coverage,
    Document,
    DuplicateCandidate,
    FormTemplate,
    Patient,
    PatientAlert,
    PatientChange,
    Payer,
    RelatedPerson,
    SignedForm,
)
from .timeline import TimelineEntry, patient_timeline

# Who may see a patient is decided in .visibility; other apps ask through these names.
from .visibility import BreakGlassRequired as BreakGlassRequired
from .visibility import listed_rows as listed_rows
from .visibility import location_filter, may_reach, require_record_open, visible_patients
from .visibility import outreach_patients as outreach_patients
from .visibility import patient_in_reach as patient_in_reach
from .visibility import record_filter as record_filter
from .visibility import require_current as require_current
from .visibility import require_patient_in_reach as require_patient_in_reach

_DATE_FORMATS = ("%m/%d/%Y", "%Y-%m-%d", "%m-%d-%Y", "%m.%d.%Y", "%m/%d/%y", "%m-%d-%y", "%m%d%Y", "%Y%m%d",
                 "%B %d %Y", "%b %d %Y", "%d %B %Y", "%d %b %Y")
_LETTERS = re.compile(r"[^\W\d_]")
FUZZY_CANDIDATES = 1500
EXACT_CAP = 500
FUZZY_MIN_SIMILARITY = 0.84


def parse_search_date(text: str) -> dt.date | None:
    """A date of birth in a common format; bare digits only as MMDDYYYY or YYYYMMDD (else they are an MRN
    or a phone)."""
    cleaned = " ".join(text.replace(",", " ").split())
    if cleaned.isdigit() and len(cleaned) != 8:
        return None
    for fmt in _DATE_FORMATS:
        try:
            day = dt.datetime.strptime(cleaned, fmt).date()
        except ValueError:
            continue
        if "%y" in fmt and day > clock.now().date():
            day = day.replace(year=day.year - 100)  # a two-digit year of birth is in the past
        if not 1900 <= day.year <= clock.now().year:
            continue
        return day
    return None


_ALPHABET = " 0123456789abcdefghijklmnopqrstuvwxyz"


def _prefix(name: str, prefix: str) -> Q:
    """`name` starts with `prefix` (a folded key). On PostgreSQL Django's LIKE uses the pattern index
    it made for the column; SQLite's LIKE is case-insensitive and skips the index, so a range does."""
    prefix = prefix.rstrip()
    if not prefix:
        return Q()
    starts = Q(**{f"{name}__startswith": prefix})
    if connection.vendor != "sqlite":
        return starts
    head = prefix
    while head and head[-1] == _ALPHABET[-1]:
        head = head[:-1]
    if not head or head[-1] not in _ALPHABET:
        return starts
    upper = head[:-1] + _ALPHABET[_ALPHABET.index(head[-1]) + 1]
    return Q(**{f"{name}__gte": prefix, f"{name}__lt": upper}) & starts


def _name_parts(text: str) -> list[tuple[str, str]]:
    """(family, given) readings of a name query, folded as the keys are (`fold_name`; family names without
    spaces): 'Lopez, Ana' is one; 'Ana Lopez' three (either word the family name, or both: 'o brien');
    'Lopez' one. A first name alone is the separate reading `_given_only`."""
    if "," in text:
        family, _sep, given = text.partition(",")
        return [(family_key(family), fold_name(given))]
    words = fold_name(text).split()
    if len(words) >= 2:
        return [("".join(words[1:]), words[0]), ("".join(words[:-1]), words[-1]), ("".join(words), "")]
    return [(words[0], "")] if words else []


def _given_only(text: str) -> str:
    """The query read as a first name alone ('Siobhan'), or '' when it has more than one word or a comma."""
    words = fold_name(text).split()
    return words[0] if len(words) == 1 and "," not in text else ""


def _exact_query(text: str) -> Q | None:
    """The indexed, exact-or-prefix reading of a query; None when it reads as a name."""
    if (day := parse_search_date(text)) is not None:
        return Q(birth_date=day)
    if "@" in text:
        return Q(email=text.strip().lower())
    number = digits(text)
    if number and not _LETTERS.search(text):
        key = phone_key(number)
        if len(key) == 10:
            return Q(phone_digits=key) | Q(alt_phone_digits=key)
        if len(number) == 7 and not luhn_valid(number):
            return Q(phone_digits__endswith=number)  # a local number without its area code: a scan, rare
        return Q(mrn=number)
    return None


def _name_query(parts: list[tuple[str, str]]) -> Q:
    query = Q(pk__in=[])
    for family, given in parts:
        condition = _prefix("name_key", family)
        if given:
            condition &= _prefix("given_key", given)
        query |= condition
    return query


def _fuzzy(patients: QuerySet[Patient], parts: list[tuple[str, str]], limit: int) -> list[int]:
    """The bounded typo pass: candidates share the phonetic code of the family name (or, for a typo
    in its first letter, the exact first name), then are ranked by Jaro-Winkler similarity."""
    scored: dict[int, float] = {}
    for family, given in parts:
        if len(family) < 3:
            continue
        family_first = family.split()[0]
        blocks = Q(family_sound=sound(family_first))
        if given:
            blocks |= Q(given_key=given)  # a typo in the first letter of the family name
        rows = patients.filter(blocks).values_list("pk", "name_key", "given_key")[:FUZZY_CANDIDATES]
        for pk, name_key, given_key in rows:
            their_family = name_key[: len(name_key) - len(given_key)].strip() if given_key else name_key
            family_score = max(JaroWinkler.similarity(family, their_family),
                               JaroWinkler.similarity(family_first, their_family.split()[0] if their_family else ""))
            if family_score < FUZZY_MIN_SIMILARITY:
                continue
            total = family_score
            if given:
                their_given = given_key.split()[0] if given_key else ""
                given_score = 1.0 if their_given.startswith(given) else JaroWinkler.similarity(given, their_given)
                if given_score < FUZZY_MIN_SIMILARITY:
                    continue
                total += given_score
            scored[pk] = max(scored.get(pk, 0.0), total)
    return [pk for pk, _score in sorted(scored.items(), key=lambda item: (-item[1], item[0]))[:limit]]


def search_patients(actor: Actor, query: str, limit: int = 25) -> list[Patient]:
    """The one-box search, unaudited (callers audit what they show)."""
    text = " ".join((query or "").split())
    if not text:
        return []
    visible = visible_patients(actor)
    order = ("name_key", "pk")  # the prefix index gives this order: a LIMIT stops early
    exact = _exact_query(text)
    if exact is not None:
        # Few rows share a date of birth, phone, MRN or e-mail: sort them here, so that no planner is
        # tempted to walk the name index for the ORDER BY instead of using the key's index.
        found = list(visible.filter(exact).order_by()[:EXACT_CAP])
        number = digits(text)
        if not found and len(number) == 7 and number == text.replace("-", "").replace(" ", ""):
            found = list(visible.filter(phone_digits__endswith=number).order_by()[:EXACT_CAP])
        return sorted(found, key=lambda p: (p.name_key, p.pk))[:limit]
    parts = _name_parts(text)
    if not parts:
        return []
    found = list(visible.filter(_name_query(parts)).order_by(*order)[:limit])
    if len(found) < limit and (given := _given_only(text)):
        # Family names first, then first names (from the given-name index, in its order).
        known = {p.pk for p in found}
        found += [p for p in visible.filter(_prefix("given_key", given)).exclude(pk__in=known)
                  .order_by("given_key", "pk")[: limit - len(found)]]
    if len(found) < limit:
        ids = _fuzzy(visible, parts, limit)
        known = {p.pk for p in found}
        extra = [pk for pk in ids if pk not in known][: limit - len(found)]
        if extra:
            by_pk = visible.in_bulk(extra)
            found += [by_pk[pk] for pk in extra if pk in by_pk]
    return found


@atomic_service
def patient_search(*, actor: Actor, query: str, limit: int = 25) -> list[Patient]:
    require(actor, Perm.PATIENT_READ)
    found = search_patients(actor, query, limit)
    if found:
        record(actor, "patient.search", resource_type="patient", detail={"shown": [p.pk for p in found]})
    return found


# --- the chart ------------------------------------------------------------------------------------------------

@dataclass
class Outstanding:
    code: str
    title: str
    version: int
    signed_version: int | None  # None: never signed

    @property
    def outdated(self) -> bool:
        return self.signed_version is not None


@dataclass
class Chart:
    patient: Patient
    coverages: list[Coverage]
    upcoming: list[Any]
    past: list[Any]
    documents: list[Document]
    signed_forms: list[SignedForm]
    outstanding: list[Outstanding]
    contacts: list[RelatedPerson]
    changes: list[PatientChange]
    alerts: list[tuple[str, str]] = field(default_factory=list)  # (kind, text)
    patient_alerts: list[PatientAlert] = field(default_factory=list)  # staff-set alerts, active (#15)
    timeline: list[TimelineEntry] = field(default_factory=list)
    balance: Any = None  # what the patient owes (None: not for this actor)
    can_set_alerts: bool = False
    can_headsup: bool = False  # the desk may send the provider a heads-up about this patient
    age: int | None = None
    insured: Coverage | None = None  # the first coverage active today
    today_appointment: Any = None  # today's appointment still to check in, if any


def outstanding_forms(signed: list[SignedForm]) -> list[Outstanding]:
    """Required forms never signed, or signed on an older version than the current one. Each is named by its
    current version's title in the active language (English, then any language, when it has no such row)."""
    language = (translation.get_language() or "en")[:2]

    def rank(template: FormTemplate) -> int:
        return 0 if template.language[:2] == language else 1 if template.language[:2] == "en" else 2

    current: dict[str, FormTemplate] = {}
    for template in FormTemplate.objects.filter(active=True, required=True).order_by("code", "-version",
                                                                                         "language"):
        chosen = current.get(template.code)
        if chosen is None or (chosen.version == template.version and rank(template) < rank(chosen)):
            current[template.code] = template
    best: dict[str, int] = {}
    for form in signed:
        best[form.template.code] = max(best.get(form.template.code, 0), form.template.version)
    return [Outstanding(code, t.title, t.version, best.get(code))
            for code, t in sorted(current.items()) if best.get(code, 0) < t.version]


def _appointments(patient: Patient) -> tuple[list[Any], list[Any]]:
    """Read-only view of the patient's appointments (scheduling owns them)."""
    base = Appointment.objects.filter(patient=patient).select_related("practitioner", "appointment_type",
                                                                       "location")
    now = clock.now()
    upcoming = list(base.filter(start__gte=now).order_by("start")[:10])
    past = list(base.filter(start__lt=now).order_by("-start")[:10])
    return upcoming, past


@atomic_service
def patient_chart(*, actor: Actor, patient_id: int) -> Patient:
    """The patient record alone. A patient outside the actor's locations is refused like a missing one."""
    return _open(actor, patient_id)


def _open(actor: Actor, patient_id: int) -> Patient:
    require(actor, Perm.PATIENT_READ, resource_type="patient", resource_id=patient_id, patient_id=patient_id)
    patient = Patient.objects.select_related("home_location", "merged_into").filter(pk=patient_id).first()
    if patient is None:
        raise NotFound()
    _open_related(actor, patient, "patient", patient_id)
    record(actor, "patient.read", patient, patient=patient)
    return patient


@atomic_service
def patient_chart_full(*, actor: Actor, patient_id: int) -> Chart:
    """Everything the chart screen shows, in a fixed number of queries."""
    patient = _open(actor, patient_id)
    signed = list(SignedForm.objects.filter(patient=patient).select_related("template").order_by("-signed_at"))
    upcoming, past = _appointments(patient)
    chart = Chart(
        patient=patient,
        coverages=list(Coverage.objects.filter(patient=patient).select_related("payer")
                       .order_by("order", "-start_date")),
        upcoming=upcoming, past=past,
        documents=list(Document.objects.filter(patient=patient).order_by("-document_date", "-pk")[:50]),
        signed_forms=signed, outstanding=outstanding_forms(signed),
        contacts=list(RelatedPerson.objects.filter(patient=patient)),
        changes=list(PatientChange.objects.filter(patient=patient).order_by("-changed_at", "-pk")[:30]),
    )
    chart.alerts = _alerts(chart)
    chart.patient_alerts = alerts_for_patients(actor, [patient.pk]).get(patient.pk, [])
    chart.timeline = patient_timeline(actor, patient)
    today = clock.now().date()
    chart.age = patient.age_on(today)
    chart.insured = next((c for c in chart.coverages if c.is_active_on(today)), None)
    chart.today_appointment = next(
        (a for a in [*chart.past, *chart.upcoming] if a.status in ("booked", "arrived")
         and a.start.astimezone(a.location.tz).date() == clock.now().astimezone(a.location.tz).date()), None)
    chart.can_set_alerts = not patient.merged_into_id and may_reach(
        actor, patient, perm=(Perm.PATIENT_WRITE, Perm.CLINICAL_TRIAGE))
    home = patient.home_location_id
    chart.can_headsup = has_perm(actor, Perm.FRONTDESK) and any(
        a.status in ("arrived", "checked-in") and a.start.astimezone(a.location.tz).date()
        == clock.now().astimezone(a.location.tz).date() for a in [*chart.past, *chart.upcoming])
    if has_perm(actor, Perm.BILLING_READ, location=home) or has_perm(actor, Perm.FRONTDESK, location=home):
        from clinicdesk.billing.services import balance_of

        chart.balance = balance_of(patient.pk)
    return chart


# --- patient alerts (#15) -------------------------------------------------------------------------------------

def alerts_for_patients(actor: Actor, patient_ids: Iterable[Any]) -> dict[int, list[PatientAlert]]:
    """The active alerts of many charts in one query, for lists (the flow board, the schedule): patient id ->
    alerts, most severe first. The caller has checked the list's location and audits the patients it shows; a
    restricted chart's alerts are part of its record and appear only while the actor's glass is open."""
    ids = sorted({int(pk) for pk in patient_ids if pk is not None})
    if not ids:
        return {}
    rows = (PatientAlert.objects.filter(patient_id__in=ids, ended_at__isnull=True)
            .filter(record_filter(actor, prefix="patient__")).select_related("kind")
            .order_by("patient_id", "created_at", "pk"))
    rank = {"danger": 0, "warning": 1, "info": 2}
    found: dict[int, list[PatientAlert]] = {}
    for alert in rows:
        found.setdefault(alert.patient_id, []).append(alert)
    for alerts in found.values():
        alerts.sort(key=lambda a: rank.get(a.kind.severity, 3))
    return found


@atomic_service
def patient_alerts(*, actor: Actor, patient_id: int, include_ended: bool = True) -> list[PatientAlert]:
    """One chart's alerts, active first then ended (newest first): a read of the record, audited."""
    require(actor, Perm.PATIENT_READ, resource_type="patient", resource_id=patient_id, patient_id=patient_id)
    patient = patient_in_reach(actor, patient_id, record=True)
    rows = PatientAlert.objects.filter(patient=patient).select_related("kind", "created_by", "ended_by")
    if not include_ended:
        rows = rows.filter(ended_at__isnull=True)
    alerts = sorted(rows.order_by("-created_at", "-pk"), key=lambda a: a.ended_at is not None)
    record(actor, "patient_alert.list", resource_type="patient", resource_id=patient.pk, patient=patient)
    return alerts


def alert_kinds_offered() -> list[AlertKind]:
    """The kinds offered when setting an alert (active ones), in the reader's language's order."""
    return sorted(AlertKind.objects.filter(active=True), key=lambda kind: kind.label.lower())


def _alerts(chart: Chart) -> list[tuple[str, str]]:
    patient, alerts = chart.patient, []
    if patient.merged_into is not None:
        alerts.append(("merged", _("This chart was merged into MRN %(mrn)s.") % {"mrn": patient.merged_into.mrn}))
    if patient.deceased_date:
        alerts.append(("deceased", _("Deceased %(date)s.") % {"date": patient.deceased_date.strftime("%m/%d/%Y")}))
    if not patient.active and not patient.merged_into_id:
        alerts.append(("inactive", _("Inactive record: %(reason)s") % {"reason": patient.inactive_reason}))
    if patient.restricted:
        alerts.append(("restricted", _("Restricted record: every opening is reported to the compliance officer.")))
    # "Interpreter needed" is a patient alert (services/alerts.py), shown with the others in the header.
    for form in chart.outstanding:
        if form.outdated:
            alerts.append(("form", _("%(title)s signed on version %(old)s; version %(new)s needs signing.")
                           % {"title": form.title, "old": form.signed_version, "new": form.version}))
        else:
            alerts.append(("form", _("%(title)s not signed.") % {"title": form.title}))
    today = clock.now().date()
    if not any(c.is_active_on(today) for c in chart.coverages):
        alerts.append(("insurance", _("No active insurance on file.")))
    return alerts


# --- registration matches, documents, forms -------------------------------------------------------------------

@atomic_service
def registration_matches(*, actor: Actor, location: Location | int, person: Person) -> list[Match]:
    """Likely existing charts for a person being registered (the whole practice: one person, one chart)."""
    require(actor, Perm.PATIENT_WRITE, location=location)
    matches = find_matches(person)
    if matches:
        record(actor, "patient.match", resource_type="patient",
               detail={"shown": [m.patient.pk for m in matches], "scores": [m.result.score for m in matches]})
    return matches


@atomic_service
def document_open(*, actor: Actor, document_id: int) -> tuple[Document, Any]:
    """A document and an open file handle; the read is audited."""
    document = Document.objects.select_related("patient").filter(pk=document_id).first()
    if document is None:
        raise NotFound()
    _open_related(actor, document.patient, "document", document_id)
    record(actor, "document.read", document, patient=document.patient_id)
    return document, default_storage.open(document.storage_name, "rb")


@atomic_service
def signed_form_open(*, actor: Actor, signed_form_id: int) -> tuple[SignedForm, Any]:
    signed = SignedForm.objects.select_related("patient", "template").filter(pk=signed_form_id).first()
    if signed is None:
        raise NotFound()
    _open_related(actor, signed.patient, "signedform", signed_form_id)
    record(actor, "form.read", signed, patient=signed.patient_id)
    return signed, default_storage.open(signed.pdf, "rb")


def patient_record_check(*, actor: Actor, patient_id: int, resource_type: str) -> Patient:
    """The patient, for another app about to show part of the record (the messages sent to them): hidden like
    a missing one from anyone who may not read the chart, and a restricted one only after breaking the glass.
    The caller audits what it shows."""
    patient = Patient.objects.filter(pk=patient_id).only("pk", "home_location_id", "restricted").first()
    if patient is None:
        raise NotFound()
    _open_related(actor, patient, resource_type, patient_id)
    return patient


def _open_related(actor: Actor, patient: Patient, resource_type: str, resource_id: int) -> None:
    """The actor may read this patient's record (visibility decides: location, role, the glass)."""
    require_record_open(actor, patient, resource_type=resource_type, resource_id=resource_id)


def form_templates_offered() -> list[FormTemplate]:
    """The current version of each active form, in every language (not patient data)."""
    return list(FormTemplate.objects.filter(active=True).order_by("code", "language"))


def payers_active() -> list[Payer]:
    return list(Payer.objects.filter(active=True).order_by("name"))


# --- worklists and reports -------------------------------------------------------------------------------------

@atomic_service
def duplicates_worklist(*, actor: Actor, limit: int = 100) -> list[DuplicateCandidate]:
    """Open suspected pairs where the actor may see both charts (for the front desk: pairs holding a chart
    registered in the last 24 hours, see merge_scope)."""
    require_duplicate_review(actor)
    pairs = DuplicateCandidate.objects.filter(pairs_in_scope(actor), status=DuplicateCandidate.Status.OPEN,
                                              first__merged_into__isnull=True, second__merged_into__isnull=True)
    pairs = pairs.filter(location_filter(actor, prefix="first__"), location_filter(actor, prefix="second__"))
    rows = list(pairs.select_related("first__home_location", "second__home_location")
                .order_by("-score", "pk")[:limit])
    if rows:
        record(actor, "duplicate.list", resource_type="patient",
               detail={"shown": sorted({p for r in rows for p in (r.first_id, r.second_id)})})
    return rows


@atomic_service
def duplicate_pair(*, actor: Actor, candidate_id: int) -> DuplicateCandidate:
    require_duplicate_review(actor)
    pair = DuplicateCandidate.objects.select_related("first__home_location", "second__home_location") \
        .filter(pk=candidate_id).first()
    if pair is None:
        raise NotFound()
    require_charts_in_reach(actor, pair.first, pair.second)
    require_pair_in_scope(actor, pair.first, pair.second)
    record(actor, "duplicate.read", pair, detail={"shown": [pair.first_id, pair.second_id]})
    return pair


@atomic_service
def break_glass_report(*, actor: Actor, limit: int = 200) -> list[BreakGlassAccess]:
    """Every break-the-glass opening, newest first, for the compliance officer."""
    require(actor, Perm.AUDIT_READ)
    rows = list(BreakGlassAccess.objects.select_related("actor", "patient").order_by("-at")[:limit])
    record(actor, "break_glass.report", resource_type="patient", detail={"shown": len(rows)})
    return rows


@atomic_service
def patients_export(*, actor: Actor) -> Iterator[tuple[Patient, RelatedPerson | None]]:
    """Every chart the actor may see (unmerged), with its first emergency contact; the export is audited."""
    require(actor, Perm.PATIENT_EXPORT)
    patients = visible_patients(actor, perm=Perm.PATIENT_EXPORT).select_related("home_location").prefetch_related(
        Prefetch("related_persons", queryset=RelatedPerson.objects.filter(kind=RelatedPerson.Kind.EMERGENCY),
                 to_attr="emergency_contacts")).order_by("pk")
    record(actor, "patient.export", resource_type="patient", detail={"count": patients.count()})

    def rows() -> Iterator[tuple[Patient, RelatedPerson | None]]:
        for patient in patients.iterator(chunk_size=2000):
            contacts = getattr(patient, "emergency_contacts", [])
            yield patient, (contacts[0] if contacts else None)

    return rows()
