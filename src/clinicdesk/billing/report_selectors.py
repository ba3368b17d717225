"""Payment reports (#19): the day sheet, deposits, payments by payer and by provider, A/R aging by payer and by
patient, days in A/R and the collection rate. Every figure is summed in the database; each report is a list of
tables (with a chart where one helps) that the page, the CSV and the PDF all render the same way.

Definitions:
- payments are money received (shown positive), net of reversed payments; refunds are money given back; the
  net is what stayed. The patients' payments are taken at the desk or online; the payers' (insurance payments)
  are posted from their remittances. Money entries are counted on the local day they were posted at their location;
- deposits: the money of each day by method (cash, check, card, online), refunds and reversals netted on their own day;
- days in A/R = A/R at the end of the period / (charges in the period / days in the period);
- collection rate = payments / charges in the period; net collection rate = payments / (charges + adjustments),
  adjustments being write-offs (negative: a payer's contractual write-off lowers the charges it pays against) or
  corrections; payments are everything received, the patients' and the payers', less refunds; reversed charges,
  payments and adjustments are left out;
- A/R aging: see report_aging.py (every account's balance from the ledger, the fast path). Who owes: each account
  is split between the payers its claims pending with insurance are with and the patient (pending_insurance.py,
  the definition the statements bill by); the payer filter picks one payer's part or the patients' own.
Reports that show patients' names (the day sheet's entries, aging by patient) record the read in the audit trail.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, IntegerField, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce, TruncDate
from django.utils import formats
from django.utils.translation import gettext as _

from clinicdesk.audit.services import atomic_service, record
from clinicdesk.core.exceptions import NotFound
from clinicdesk.core.permissions import Actor
from clinicdesk.core.timezones import day_span_utc
from clinicdesk.patients.models import Patient, Payer
from clinicdesk.practice.models import Practitioner

from .models import EntryKind, LedgerEntry, PaymentMethod
from .money import format_money
from .pending_insurance import pending_claims, split
from .report_aging import BUCKETS, PATIENT, Aging, AgingRow, aging_query
from .report_filters import PATIENT_PAYER, Filters, parse_filters, report_scope, require_report_reader

ZERO = Decimal("0.00")
TEXT, MONEY, COUNT, PERCENT, DAYS, DATE = "text", "money", "count", "percent", "days", "date"
PATIENTS_SHOWN = 200  # aging by patient on screen and in the PDF: the largest balances (the CSV has every one)


@dataclass
class ReportTable:
    key: str
    title: str
    columns: list[str]
    units: list[str]
    rows: list[list[Any]]
    totals: list[Any] | None = None
    chart: dict[str, Any] | None = None
    note: str = ""
    shown: int | None = None  # the page and the PDF show this many rows (None: all)
    wide: bool = False  # many columns: on the page its card takes the whole width of the grid

    @property
    def empty(self) -> bool:
        return not self.rows

    @property
    def screen_rows(self) -> list[list[Any]]:
        return self.rows if self.shown is None else self.rows[: self.shown]

    @property
    def cut(self) -> bool:
        return self.shown is not None and len(self.rows) > self.shown

    def display(self, row: list[Any]) -> list[tuple[str, bool]]:
        """Each cell as shown (by locale), with whether it is a number (right-aligned)."""
        return [(display(value, unit), unit not in (TEXT,)) for value, unit in zip(row, self.units, strict=True)]

    @property
    def header(self) -> list[tuple[str, bool]]:
        return [(column, unit != TEXT) for column, unit in zip(self.columns, self.units, strict=True)]

    @property
    def display_rows(self) -> list[list[tuple[str, bool]]]:
        return [self.display(row) for row in self.screen_rows]

    @property
    def display_totals(self) -> list[tuple[str, bool]] | None:
        return self.display(self.totals) if self.totals is not None else None

    def csv_rows(self) -> list[list[str]]:
        rows = [*self.rows, *([self.totals] if self.totals is not None else [])]
        return [[csv_cell(value) for value in row] for row in rows]


@dataclass
class Report:
    key: str
    title: str
    filters: Filters
    facts: list[tuple[str, str]] = field(default_factory=list)
    tables: list[ReportTable] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def table(self, key: str) -> ReportTable:
        found = next((t for t in self.tables if t.key == key), None)
        if found is None:
            raise NotFound()
        return found


def display(value: Any, unit: str) -> str:
    if value is None or value == "":
        return "—"
    if unit == MONEY:
        return format_money(value, signed=True)
    if unit == PERCENT:
        return formats.number_format(value, 1, use_l10n=True) + " %"
    if unit == DAYS:
        return formats.number_format(value, 1, use_l10n=True)
    if unit == COUNT:
        return formats.number_format(value, 0, use_l10n=True, force_grouping=True)
    if unit == DATE and isinstance(value, dt.date):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    return str(value)


def csv_cell(value: Any) -> str:
    """Numbers as plain decimals ('-12.50': a spreadsheet reads a number), dates ISO, words with any formula
    neutralised (a leading = + - @ tab or carriage return gets a quote)."""
    if value is None:
        return ""
    if isinstance(value, (Decimal, int, float)):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _chart(labels: list[str], datasets: list[tuple[str, list[Any]]], *, stacked: bool = False,
           percent: bool = False) -> dict[str, Any]:
    """The spec the dashboards' script draws (insight/dashboards.js): numbers as floats, for the drawing only."""
    return {"type": "bar", "stacked": stacked, "labels": labels, "percent": percent, "whole": False,
            "datasets": [{"label": label, "data": [None if v is None else float(v) for v in values]}
                         for label, values in datasets]}


def _period(f: Filters) -> str:
    return f"{display(f.first_day, DATE)} \u2013 {display(f.last_day, DATE)}"


def _rate(part: Decimal, whole: Decimal) -> Decimal | None:
    return (100 * part / whole).quantize(Decimal("0.1")) if whole > 0 else None


# --- the ledger in a period ---------------------------------------------------------------------------------------

def _span(f: Filters, first: dt.date, last: dt.date) -> tuple[dt.datetime, dt.datetime]:
    return day_span_utc(first, f.tz)[0], day_span_utc(last, f.tz)[1]


def _ledger(f: Filters, first: dt.date | None = None, last: dt.date | None = None) -> QuerySet[LedgerEntry]:
    start, end = _span(f, first or f.first_day, last or f.last_day)
    rows = LedgerEntry.objects.filter(location_id__in=f.location_ids, created_at__gte=start, created_at__lt=end)
    if f.practitioner is not None:
        rows = rows.filter(appointment__practitioner_id=f.practitioner.pk)
    if f.payer and f.payer != PATIENT_PAYER:
        rows = rows.none()  # today the ledger holds the patients' own money only: a payer has none yet
    return rows


def _by_kind(rows: QuerySet[LedgerEntry]) -> dict[str, Decimal]:
    """Sums per kind, a reversal counted (with its opposite sign) under the kind it reverses."""
    sums = {kind: ZERO for kind in EntryKind.values}
    for row in (rows.annotate(effective=Coalesce(F("reverses__kind"), F("kind"))).values("effective")
                .annotate(total=Sum("amount")).order_by()):
        sums[row["effective"]] += row["total"] or ZERO
    return sums


@dataclass
class PeriodTotals:
    charges: Decimal
    adjustments: Decimal
    payments: Decimal  # the patients' payments received, positive
    refunds: Decimal  # given back, positive
    insurance: Decimal = ZERO  # the payers' payments received (posted from remittances), positive

    @property
    def net_payments(self) -> Decimal:
        """The patients' money that stayed."""
        return self.payments - self.refunds

    @property
    def collected(self) -> Decimal:
        """Everything received, the patients' and the payers', less refunds: what the rates divide."""
        return self.net_payments + self.insurance

    @property
    def collection_rate(self) -> Decimal | None:
        return _rate(self.collected, self.charges)

    @property
    def net_collection_rate(self) -> Decimal | None:
        return _rate(self.collected, self.charges + self.adjustments)


def period_totals(f: Filters) -> PeriodTotals:
    sums = _by_kind(_ledger(f))
    return PeriodTotals(sums[EntryKind.CHARGE], sums[EntryKind.ADJUSTMENT], -sums[EntryKind.PAYMENT],
                        sums[EntryKind.REFUND], -sums[EntryKind.INSURANCE])


# --- the day sheet ------------------------------------------------------------------------------------------------

KIND_COLUMNS = (EntryKind.CHARGE, EntryKind.PAYMENT, EntryKind.ADJUSTMENT, EntryKind.REFUND, EntryKind.REVERSAL)
COLUMN_OF = {EntryKind.INSURANCE: EntryKind.PAYMENT}  # a payer's payment is money received, as a patient's is


def day_sheet(actor: Actor, f: Filters) -> Report:
    """Every entry of the day (the "to" day) at the locations, and its totals per location and kind. The entries
    name patients: the read is audited."""
    day = f.last_day
    rows = _ledger(f, day, day)
    names = {loc.pk: loc.name for loc in (f.scope.locations if f.scope else [])}
    labels = dict(EntryKind.choices)
    methods = dict(PaymentMethod.choices)
    sums: dict[int, dict[str, Decimal]] = {}
    counts: dict[str, int] = {}
    for row in rows.values("location_id", "kind").annotate(total=Sum("amount")).order_by():
        per = sums.setdefault(row["location_id"], {k: ZERO for k in KIND_COLUMNS})
        per[COLUMN_OF.get(row["kind"], row["kind"])] += row["total"] or ZERO
    for kind, n in rows.values_list("kind").annotate(n=Count("pk")).order_by():
        counts[kind] = n

    def shown(per: dict[str, Decimal]) -> list[Decimal]:  # payments and refunds as money in and out
        return [per[EntryKind.CHARGE], -per[EntryKind.PAYMENT], per[EntryKind.ADJUSTMENT],
                per[EntryKind.REFUND], per[EntryKind.REVERSAL], sum(per.values(), ZERO)]

    columns = [_("Charges"), _("Payments"), _("Adjustments"), _("Refunds"), _("Reversals"), _("Change in A/R")]
    by_location = [[names.get(pk, str(pk)), *shown(per)] for pk, per in sorted(sums.items(), key=lambda i:
                                                                                names.get(i[0], ""))]
    grand: dict[str, Decimal] = {k: sum((per[k] for per in sums.values()), ZERO) for k in KIND_COLUMNS}
    totals_table = ReportTable(
        "totals", _("Totals by location"), [_("Location"), *columns], [TEXT, *[MONEY] * 6], by_location,
        totals=[_("Total"), *shown(grand)] if by_location else None,
        chart=_chart([str(r[0]) for r in by_location],
                     [(columns[i], [r[i + 1] for r in by_location]) for i in range(4)]))
    entries = list(rows.select_related("patient", "location", "created_by").order_by("created_at", "pk"))
    lines = [[entry.created_at.astimezone(entry.location.tz).strftime("%H:%M"), entry.location.name,
              entry.patient.display_name, str(labels.get(entry.kind, entry.kind)), entry.description,
              str(methods.get(entry.method, "")) if entry.method else "", entry.amount] for entry in entries]
    entries_table = ReportTable(
        "entries", _("Entries"), [_("Time"), _("Location"), _("Patient"), _("Kind"), _("Description"), _("Method"),
                                  _("Amount")], [TEXT] * 6 + [MONEY], lines,
        note=_("Amounts as they change the balance: a payment lowers it."), wide=True)  # seven columns
    if entries:
        record(actor, "report.day_sheet", resource_type="patient",
               detail={"day": day.isoformat(), "locations": f.location_ids,
                       "patients": sorted({e.patient_id for e in entries})})
    facts = [(_("Day"), display(day, DATE)),
             (_("Entries"), display(sum(counts.values()), COUNT)),
             (_("Money received"), display(-grand[EntryKind.PAYMENT], MONEY)),
             (_("Change in A/R"), display(sum(grand.values(), ZERO), MONEY))]
    return Report("day-sheet", _("Day sheet"), f, facts, [totals_table, entries_table])


# --- deposits -----------------------------------------------------------------------------------------------------

def deposits(actor: Actor, f: Filters) -> Report:
    """Money in per local day and method over the range (payments less refunds; a reversal on its own day)."""
    methods = PaymentMethod.values
    per_day: dict[dt.date, dict[str, Decimal]] = {}
    money = _ledger(f).exclude(method="")
    for row in (money.annotate(day=TruncDate("created_at", tzinfo=f.tz)).values("day", "method")
                .annotate(total=Sum("amount")).order_by()):
        per_day.setdefault(row["day"], {m: ZERO for m in methods})[row["method"]] += -(row["total"] or ZERO)
    days = sorted(per_day)
    rows = [[day, *(per_day[day][m] for m in methods), sum(per_day[day].values(), ZERO)] for day in days]
    labels = dict(PaymentMethod.choices)
    names = [str(labels[m]) for m in methods]
    totals = [sum((per_day[d][m] for d in days), ZERO) for m in methods]
    table = ReportTable(
        "deposits", _("Deposits by day and method"), [_("Day"), *names, _("Total")],
        [DATE, *[MONEY] * (len(methods) + 1)], rows,
        totals=[_("Total"), *totals, sum(totals, ZERO)] if rows else None,
        chart=_chart([display(d, DATE) for d in days], [(names[i], [r[i + 1] for r in rows])
                                                        for i in range(len(methods))], stacked=True))
    facts = [(_("Period"), _period(f)),
             (_("Deposits"), display(sum(totals, ZERO), MONEY)),
             *((name, display(total, MONEY)) for name, total in zip(names, totals, strict=True))]
    return Report("deposits", _("Deposits"), f, facts, [table])


# --- payments by payer and by provider ----------------------------------------------------------------------------

def _payment_columns() -> list[str]:
    return [_("Payments"), _("Refunds"), _("Net received")]


def _money_by(rows: QuerySet[LedgerEntry], key: str) -> dict[Any, list[Decimal]]:
    """[payments, refunds, net] per value of `key`, reversed payments and refunds netted out."""
    out: dict[Any, list[Decimal]] = {}
    money = rows.filter(Q(kind__in=[EntryKind.PAYMENT, EntryKind.REFUND])
                        | Q(kind=EntryKind.REVERSAL, reverses__kind__in=[EntryKind.PAYMENT, EntryKind.REFUND]))
    for row in (money.annotate(effective=Coalesce(F("reverses__kind"), F("kind"))).values(key, "effective")
                .annotate(total=Sum("amount")).order_by()):
        sums = out.setdefault(row[key], [ZERO, ZERO, ZERO])
        if row["effective"] == EntryKind.PAYMENT:
            sums[0] += -(row["total"] or ZERO)
        else:
            sums[1] += row["total"] or ZERO
        sums[2] = sums[0] - sums[1]
    return out


def payer_label(key: int, names: Mapping[int, str] | None = None) -> str:
    return _("Patients") if key == PATIENT else (names or {}).get(key, str(key))


def payments(actor: Actor, f: Filters) -> Report:
    """The patients' money received, by payer (the patients themselves) and by the provider of the visit it was for.
    The payers' payments (ledger kind insurance, posted from 835s) are not in these tables: grouping them by payer
    goes through their claim postings, still to be done; the A/R aging's rates count them."""
    rows = _ledger(f)
    # Who paid: today only patients pay through the ledger; claims will add payers' payments here.
    by_payer = _money_by(rows.annotate(payer_key=Value(PATIENT, output_field=IntegerField())), "payer_key")
    payer_rows = [[payer_label(int(key)), *sums] for key, sums in sorted(by_payer.items())]
    by_provider = _money_by(rows, "appointment__practitioner_id")
    people = {p.pk: str(p) for p in Practitioner.objects.filter(pk__in=[k for k in by_provider if k])}
    provider_rows: list[list[Any]] = sorted(
        ([people.get(key, _("Not tied to a visit")) if key else _("Not tied to a visit"), *sums]
         for key, sums in by_provider.items()), key=lambda r: (-r[3], r[0]))
    columns = _payment_columns()

    def table(key: str, title: str, axis: str, data: list[list[Any]]) -> ReportTable:
        sums = [sum((r[i] for r in data), ZERO) for i in (1, 2, 3)]
        return ReportTable(key, title, [axis, *columns], [TEXT, MONEY, MONEY, MONEY], data,
                           totals=[_("Total"), *sums] if data else None,
                           chart=_chart([r[0] for r in data], [(columns[2], [r[3] for r in data])]))

    totals = period_totals(f)
    facts = [(_("Period"), _period(f)),
             (_("Payments"), display(totals.payments, MONEY)), (_("Refunds"), display(totals.refunds, MONEY)),
             (_("Net received"), display(totals.net_payments, MONEY))]
    return Report("payments", _("Payments by payer and provider"), f, facts, [
        table("by-payer", _("Payments by payer"), _("Payer"), payer_rows),
        table("by-provider", _("Payments by provider"), _("Provider"), provider_rows)],
        notes=[_("These tables show the patients' own payments. The payers' payments, posted from their remittances, "
                 "are counted in the A/R aging's collection rates.")])


# --- A/R aging, days in A/R, collection rate ----------------------------------------------------------------------

def ar_aging(f: Filters) -> Aging:
    """The aging of the filters' locations as of the "to" day, one row per account and who owes it: the ledger's
    aging of every account (one statement over the stored balances), each account split between the payers of its
    claims pending with insurance and the patient (one query over the pending claims; the accounts without any
    keep their row as it is). The payer filter keeps one payer's rows, or the patients' own (and the credits)."""
    whole = aging_query(as_of=f.last_day, tz=f.tz, location_ids=f.location_ids)
    payer = None if not f.payer or f.payer == PATIENT_PAYER else int(f.payer)
    pending = pending_claims(as_of=f.last_day, tz=f.tz, location_ids=f.location_ids)
    rows: list[AgingRow] = []
    for row in whole.rows:
        waiting = pending.get(row.patient_id)
        if not waiting:
            if payer is None:
                rows.append(row)
            continue
        own, payers = split(row.buckets, waiting)
        if payer is None and any(own):
            rows.append(AgingRow(row.patient_id, PATIENT, own))
        if f.payer != PATIENT_PAYER:
            rows += [AgingRow(row.patient_id, key, amounts) for key, amounts in payers.items()
                     if payer is None or key == payer]
    if pending:
        rows.sort(key=lambda r: (-r.total, r.patient_id, r.responsible))
    if payer is not None:
        return Aging(rows, ZERO, 0)  # a credit balance is the patient's
    return Aging(rows, whole.credit_total, whole.credit_accounts)


def days_in_ar(ar_total: Decimal, charges: Decimal, days: int) -> Decimal | None:
    if charges <= 0 or days <= 0:
        return None
    return (ar_total / (charges / days)).quantize(Decimal("0.1"))


def aging(actor: Actor, f: Filters) -> Report:
    """A/R aging by bucket, by payer and by patient (names: audited), days in A/R and the collection rates."""
    result = ar_aging(f)
    bucket_labels = [_("%(range)s days") % {"range": b} if b != "120+" else _("Over 120 days") for b in BUCKETS]
    buckets = result.buckets
    total = result.total
    summary = ReportTable(
        "buckets", _("A/R aging"), [_("Age"), _("Balance"), _("Share")], [TEXT, MONEY, PERCENT],
        [[label, amount, _rate(amount, total)] for label, amount in zip(bucket_labels, buckets, strict=True)],
        totals=[_("Total"), total, _rate(total, total)],
        chart=_chart(bucket_labels, [(_("Balance"), buckets)]))
    by_payer: dict[int, list[Decimal]] = {}
    by_patient: dict[int, AgingRow] = {}  # an account's rows (the patient's part and each payer's) as one
    for row in result.rows:
        sums = by_payer.setdefault(row.responsible, [ZERO] * len(BUCKETS))
        by_payer[row.responsible] = [a + b for a, b in zip(sums, row.buckets, strict=True)]
        known = by_patient.get(row.patient_id)
        by_patient[row.patient_id] = row if known is None else AgingRow(
            row.patient_id, PATIENT, [a + b for a, b in zip(known.buckets, row.buckets, strict=True)])
    names = dict(Payer.objects.filter(pk__in=[key for key in by_payer if key != PATIENT]).values_list("pk", "name"))
    payer_rows: list[list[Any]] = [[payer_label(key, names), *sums, sum(sums, ZERO)] for key, sums in
                                   sorted(by_payer.items(), key=lambda item: (item[0] != PATIENT,
                                                                              payer_label(item[0], names)))]
    columns = [*bucket_labels, _("Total")]
    payer_table = ReportTable(
        "by-payer", _("A/R aging by payer"), [_("Payer"), *columns], [TEXT, *[MONEY] * 6], payer_rows,
        totals=[_("Total"), *buckets, total] if payer_rows else None, wide=True,
        chart=_chart(bucket_labels, [(r[0], r[1:6]) for r in payer_rows], stacked=True))
    accounts = list(by_patient.values())
    if len(accounts) != len(result.rows):
        accounts.sort(key=lambda r: (-r.total, r.patient_id))
    listed = accounts if f.every_row else accounts[:PATIENTS_SHOWN]  # names only for the rows shown
    patients = Patient.objects.in_bulk({r.patient_id for r in listed})
    patient_rows = [[patients[r.patient_id].display_name, patients[r.patient_id].mrn, *r.buckets, r.total]
                    for r in listed if r.patient_id in patients]
    patient_table = ReportTable(
        "by-patient", _("A/R aging by patient"), [_("Patient"), _("MRN"), *columns], [TEXT, TEXT, *[MONEY] * 6],
        patient_rows, totals=[_("Total"), "", *buckets, total] if patient_rows else None, wide=True,
        note=_("The largest balances first. The page shows %(n)s; the CSV has every patient.")
        % {"n": PATIENTS_SHOWN} if len(accounts) > PATIENTS_SHOWN else "")
    if patient_rows:
        record(actor, "report.aging_patients", resource_type="patient",
               detail={"as_of": f.last_day.isoformat(), "locations": f.location_ids,
                       "patients": [r.patient_id for r in listed]})
    period = period_totals(f)
    dar = days_in_ar(total, period.charges, f.days)
    collection = ReportTable(
        "collection", _("Days in A/R and collection rate"), [_("Measure"), _("Value")], [TEXT, TEXT], [
            [_("A/R at the end of the period"), display(total, MONEY)],
            [_("Charges in the period"), display(period.charges, MONEY)],
            [_("Adjustments in the period"), display(period.adjustments, MONEY)],
            [_("Payments received, less refunds"), display(period.collected, MONEY)],
            [_("Days in A/R"), display(dar, DAYS)],
            [_("Collection rate"), display(period.collection_rate, PERCENT)],
            [_("Net collection rate"), display(period.net_collection_rate, PERCENT)],
            [_("Credit balances (owed to patients)"), display(result.credit_total, MONEY)],
        ])
    facts = [(_("As of"), display(f.last_day, DATE)), (_("Total A/R"), display(total, MONEY)),
             (_("Days in A/R"), display(dar, DAYS)), (_("Collection rate"), display(period.collection_rate, PERCENT)),
             (_("Net collection rate"), display(period.net_collection_rate, PERCENT)),
             (_("Credit balances"), display(result.credit_total, MONEY))]
    notes = [_("Balances are aged from the day of each charge; payments pay the oldest charges first. Days in A/R "
               "and the collection rates use the charges and payments of the chosen period."),
             _("A payer's part is what is pending with it: claims held, ready, sent, accepted or rejected, not yet "
               "answered, aged from the date of service. The rest of a balance is the patient's.")]
    if f.practitioner is not None:
        notes.append(_("A balance belongs to the patient, not to a provider: the aging does not use the provider "
                       "filter (the rates do)."))
    from .report_claims_aging import insurance_aging_table  # insurance A/R by payer from open claims (#19 item 11)

    insurance_table = insurance_aging_table(f, bucket_labels)
    return Report("aging", _("A/R aging"), f, facts, [summary, collection, payer_table, insurance_table, patient_table],
                  notes)


REPORTS: dict[str, Callable[[Actor, Filters], Report]] = {
    "day-sheet": day_sheet, "deposits": deposits, "payments": payments, "aging": aging}


def report_titles() -> list[tuple[str, str]]:
    return [("day-sheet", _("Day sheet")), ("deposits", _("Deposits")), ("payments", _("Payments")),
            ("aging", _("A/R aging"))]


@atomic_service
def payment_report(*, actor: Actor, name: str, params: Mapping[str, str], every_row: bool = False) -> Report:
    """One payment report for the filters in `params` (billing.read and reports.read; the user's locations).
    `every_row`: long tables in full (the CSV), not only the rows a page shows."""
    require_report_reader(actor)
    build = REPORTS.get(name)
    if build is None:
        raise NotFound()
    filters = parse_filters(params, report_scope(actor=actor))
    filters.every_row = every_row
    return build(actor, filters)
