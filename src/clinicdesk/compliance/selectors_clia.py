"""Reads of CLIA waived testing: the certificate's standing, the kit lots on hand (from the inventory), the state
of each test and lot today (ready, needs QC, locked out), and the patient test log (audited per patient).

The lock-out rule, in one place (`lot_state`): the newest QC run of a test on a kit lot decides. None yet, or the
newest passed on an earlier day: QC is needed today. The newest was out of range: patient testing is locked out
until a corrective action is recorded for that run, and still blocked until a new run passes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _

from clinicdesk.audit.services import atomic_service, record
from clinicdesk.core import clock
from clinicdesk.core.exceptions import DomainError, NotFound
from clinicdesk.core.permissions import Actor, Perm, SystemActor, has_perm, require
from clinicdesk.operations import selectors as operations_selectors
from clinicdesk.practice.models import Location

from .models_clia import CliaCertificate, PatientTest, QcRun, WaivedTest

# Reads the kit lots on hand for the CLIA screens (lot numbers and expiry dates of a supply item: not patient
# data), whoever looks: the compliance officer does not use supplies, yet must see which lots are in date.
KIT_READER = SystemActor("clia-kits", frozenset({Perm.SUPPLIES_USE}))
CERT_SOON_DAYS = 60  # a certificate this close to its expiry shows on the calendar and the dashboard
LOG_LIMIT = 300


def may_test(actor: Actor, location_id: Any = None) -> bool:
    return has_perm(actor, Perm.LAB_TESTING, location=location_id)


def may_see(actor: Actor, location_id: Any = None) -> bool:
    return may_test(actor, location_id) or has_perm(actor, Perm.COMPLIANCE_ADMIN, location=location_id)


def _location(actor: Actor, location_id: int) -> Location:
    place = Location.objects.filter(pk=location_id).first()
    if place is None:
        raise NotFound()
    if not may_see(actor, location_id):
        require(actor, Perm.LAB_TESTING, location=location_id, resource_type="location", resource_id=location_id)
    return place


def _day(value: dt.date) -> str:
    return formats.date_format(value, "SHORT_DATE_FORMAT")


def test_name(test: WaivedTest) -> str:
    """The test's name in the reader's language."""
    return str(test)


# --- the certificate --------------------------------------------------------------------------------------------
def certificate_problem(cert: CliaCertificate | None, today: dt.date) -> str:
    """Why patient testing is not allowed under this certificate today ("" when it is)."""
    if cert is None:
        return _("No CLIA certificate is on file for this location: patient testing is not allowed.")
    if cert.effective_on > today:
        return _("The CLIA certificate %(number)s takes effect on %(day)s: patient testing is not allowed "
                 "before then.") % {"number": cert.number, "day": _day(cert.effective_on)}
    if cert.expires_on < today:
        return _("The CLIA certificate %(number)s expired on %(day)s: patient testing is not allowed until it "
                 "is renewed.") % {"number": cert.number, "day": _day(cert.expires_on)}
    return ""


# --- kit lots and their state -----------------------------------------------------------------------------------
@dataclass
class KitLot:
    lot: str
    expires_on: dt.date | None
    on_hand: int


def kit_lots(test: WaivedTest) -> list[KitLot]:
    """The kit item's lots on hand at the test's location, earliest expiry first (from the inventory)."""
    try:
        rows = operations_selectors.item_lots(actor=KIT_READER, item_id=test.item_id, location_id=test.location_id)
    except DomainError:
        return []
    return [KitLot(b.lot, b.expires_on, b.quantity) for b in rows if b.lot and b.quantity > 0]


STATE_TONES = {"ready": "success", "needs-qc": "warning", "locked": "danger", "expired": "danger"}


@dataclass
class LotState:
    test: WaivedTest
    lot: str
    expires_on: dt.date | None
    on_hand: int
    state: str  # ready | needs-qc | locked | expired
    reason: str
    last_run: QcRun | None = None

    @property
    def tone(self) -> str:
        return STATE_TONES[self.state]

    @property
    def label(self) -> str:
        return {"ready": _("Ready"), "needs-qc": _("Needs QC"), "locked": _("Locked out"),
                "expired": _("Lot expired")}[self.state]


def lot_state(test: WaivedTest, lot: str, expires_on: dt.date | None, today: dt.date, latest: QcRun | None,
              on_hand: int = 0) -> LotState:
    """Whether patients may be tested with `test` on kit `lot` today, and why not."""
    words = {"test": test_name(test), "lot": lot}

    def state(code: str, reason: str) -> LotState:
        return LotState(test, lot, expires_on, on_hand, code, reason % words if reason else "", latest)

    if expires_on is not None and expires_on < today:
        return state("expired", _("Kit lot %(lot)s of %(test)s has expired: it cannot be used."))
    if latest is None:
        return state("needs-qc", _("No quality control has been run on %(test)s, kit lot %(lot)s: run QC "
                                   "before testing patients."))
    if not latest.passed:
        if not hasattr(latest, "correction"):
            return state("locked", _("%(test)s, kit lot %(lot)s is locked out: the last QC run was out of range. "
                                     "Record the corrective action, then run QC again."))
        return state("needs-qc", _("A corrective action was recorded for %(test)s, kit lot %(lot)s: run QC "
                                   "again; patient testing waits until a run is in range."))
    if latest.run_on != today:
        return state("needs-qc", _("Today's quality control of %(test)s, kit lot %(lot)s has not been run."))
    return state("ready", "")


def latest_run(test_id: int, lot: str) -> QcRun | None:
    return (QcRun.objects.filter(test_id=test_id, lot=lot).select_related("correction", "performed_by")
            .order_by("-performed_at", "-pk").first())


def locked_runs(place: Location) -> list[QcRun]:
    """The out-of-range runs still awaiting their corrective action, each the newest of its test and lot (a
    failed run is always the newest: no run may follow it before its corrective action)."""
    return list(QcRun.objects.filter(test__location=place, passed=False, correction__isnull=True)
                .select_related("test", "performed_by").order_by("run_on", "pk"))


def _latest_runs(tests: list[WaivedTest], lots: set[str]) -> dict[tuple[int, str], QcRun]:
    latest: dict[tuple[int, str], QcRun] = {}
    for run in (QcRun.objects.filter(test__in=tests, lot__in=lots).select_related("correction", "performed_by")
                .order_by("-performed_at", "-pk")):
        latest.setdefault((run.test_id, run.lot), run)
    return latest


# --- the CLIA page ----------------------------------------------------------------------------------------------
@dataclass
class TestRow:
    test: WaivedTest
    name: str
    lots: list[LotState] = field(default_factory=list)


@dataclass
class CliaOverview:
    location: Location
    today: dt.date
    certificate: CliaCertificate | None
    certificate_problem: str
    tests: list[TestRow] = field(default_factory=list)
    locked: list[QcRun] = field(default_factory=list)  # out-of-range runs awaiting their corrective action
    recent_runs: list[QcRun] = field(default_factory=list)

    @property
    def certificate_days_left(self) -> int | None:
        return (self.certificate.expires_on - self.today).days if self.certificate else None


@atomic_service
def clia_overview(*, actor: Actor, location_id: int) -> CliaOverview:
    place = _location(actor, location_id)
    today = clock.today_in(place.tz)
    cert = CliaCertificate.objects.filter(location=place).first()
    tests = list(WaivedTest.objects.filter(location=place, active=True).select_related("item"))
    lots = {test.pk: kit_lots(test) for test in tests}
    latest = _latest_runs(tests, {lot.lot for found in lots.values() for lot in found})
    board = CliaOverview(place, today, cert, certificate_problem(cert, today))
    for test in tests:
        row = TestRow(test, test_name(test))
        for lot in lots[test.pk]:
            row.lots.append(lot_state(test, lot.lot, lot.expires_on, today, latest.get((test.pk, lot.lot)),
                                      lot.on_hand))
        board.tests.append(row)
    board.tests.sort(key=lambda r: r.name.lower())
    board.locked = locked_runs(place)
    board.recent_runs = list(QcRun.objects.filter(test__in=tests, run_on__gte=today - dt.timedelta(days=7))
                             .select_related("test", "performed_by", "correction")
                             .order_by("-performed_at", "-pk")[:50])
    return board


@atomic_service
def qc_run_detail(*, actor: Actor, run_id: int) -> QcRun:
    run = QcRun.objects.select_related("test", "test__location", "performed_by").filter(pk=run_id).first()
    if run is None:
        raise NotFound()
    if not may_see(actor, run.test.location_id):
        require(actor, Perm.LAB_TESTING, location=run.test.location_id, resource_type="qcrun", resource_id=run_id,
                hide=True)
    return run


def tests_at(location_id: int) -> list[WaivedTest]:
    return list(WaivedTest.objects.filter(location_id=location_id, active=True).select_related("item"))


def _start(day: dt.date, place: Location) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0), tzinfo=place.tz)


# --- the patient test log ---------------------------------------------------------------------------------------
@atomic_service
def patient_test_log(*, actor: Actor, location_id: int, day_from: dt.date | None = None,
                     day_to: dt.date | None = None, test_id: int | None = None) -> list[PatientTest]:
    """The patient tests at a location, newest first, within the days given (the location's calendar days).
    Every patient on the list is recorded in the audit trail as read."""
    place = _location(actor, location_id)
    tests = PatientTest.objects.filter(test__location=place)
    if test_id is not None:
        tests = tests.filter(test_id=test_id)
    if day_from is not None:
        tests = tests.filter(performed_at__gte=_start(day_from, place))
    if day_to is not None:
        tests = tests.filter(performed_at__lt=_start(day_to + dt.timedelta(days=1), place))
    rows = list(tests.select_related("test", "patient", "performed_by").order_by("-performed_at", "-pk")[:LOG_LIMIT])
    counts: dict[int, int] = {}
    for row in rows:
        counts[row.patient_id] = counts.get(row.patient_id, 0) + 1
    for patient_id, count in sorted(counts.items()):
        record(actor, "clia-patient-test.read", patient=patient_id, resource_type="patienttest",
               detail={"location": location_id, "count": count})
    return rows


# --- the calendar and the dashboard -----------------------------------------------------------------------------
@dataclass
class CliaDue:
    title: str
    owner: str
    due_on: dt.date
    url: str


def clia_due(place: Location, today: dt.date) -> list[CliaDue]:
    """What the compliance calendar shows for CLIA (no permission check: its callers check): the certificate's
    renewal when it expires within 60 days or has expired, and every out-of-range QC run still awaiting its
    corrective action (due the day of the run)."""
    url = reverse("compliance:clia") + f"?location={place.pk}"
    rows: list[CliaDue] = []
    cert = CliaCertificate.objects.filter(location=place, expires_on__lte=today + dt.timedelta(
        days=CERT_SOON_DAYS)).first()
    if cert is not None:
        rows.append(CliaDue(_("Renew the CLIA certificate %(number)s") % {"number": cert.number}, "—",
                            cert.expires_on, url))
    for run in locked_runs(place):
        who = run.performed_by
        rows.append(CliaDue(_("QC out of range: %(test)s, kit lot %(lot)s. Record the corrective action.")
                            % {"test": test_name(run.test), "lot": run.lot},
                            f"{who.first_name} {who.last_name}".strip() or who.username, run.run_on, url))
    return rows


def kit_item_choices() -> list[tuple[int, str]]:
    """Supply items a waived test may use as its kit: those tracked by lot and expiry."""
    return [(i.pk, i.name) for i in operations_selectors.items_list(actor=KIT_READER) if i.tracks_lots]


def lots_for_choice(test: WaivedTest, today: dt.date) -> list[tuple[str, str]]:
    """The in-date kit lots of a test as form choices."""
    return [(lot.lot, _("%(lot)s (expires %(day)s, %(n)s on hand)") % {
        "lot": lot.lot, "day": _day(lot.expires_on) if lot.expires_on else "—", "n": lot.on_hand})
        for lot in kit_lots(test) if lot.expires_on is None or lot.expires_on >= today]
