"""Reads of outreach campaigns (#24 item 4): the cohort a campaign's filters select (set-based SQL over patients
and appointments: one query, `EXISTS`/`NOT EXISTS` subqueries, no per-patient work), the preview, the members and
the report (responses computed from appointments and outbox message statuses).

The filters are a small structured document; `filters_clean` is the one place that says what is allowed."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from dateutil.relativedelta import relativedelta
from django.db.models import Count, DateTimeField, Exists, ExpressionWrapper, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from clinicdesk.audit.services import record
from clinicdesk.comms.models import Status as MessageStatus
from clinicdesk.core import clock
from clinicdesk.core.exceptions import NotFound, ValidationFailed
from clinicdesk.core.permissions import Actor, Perm, require
from clinicdesk.patients import selectors as patient_selectors
from clinicdesk.patients.models import Patient, Sex
from clinicdesk.practice.models import Location, Practitioner
from clinicdesk.scheduling.models import Appointment, AppointmentStatus, AppointmentType

from .models import Campaign, CampaignMember, MemberState

ADULT = 18
MAX_AGE = 130
MAX_MONTHS = 600
SAMPLE = 20
SEX_CHOICES = Sex.choices
AGES = ("", "minors", "adults")
LANGUAGES = ("", "en", "es")
# An appointment that is not "made" (does not count as a booking, nor as a visit with the provider).
NOT_MADE = (AppointmentStatus.CANCELLED, AppointmentStatus.ENTERED_IN_ERROR, AppointmentStatus.PROPOSED,
            AppointmentStatus.WAITLIST)
UNREACHABLE = (MessageStatus.FAILED, MessageStatus.BOUNCED, MessageStatus.SUPPRESSED)
DELIVERED = (MessageStatus.DELIVERED,)
HANDED_OVER = (MessageStatus.SENT, MessageStatus.DELIVERED, MessageStatus.BOUNCED)  # what the channel charges

# Every filter a campaign may hold, with its empty value.
FILTERS: dict[str, Any] = {
    "locations": [], "age_min": None, "age_max": None, "ages": "", "sex": "", "language": "",
    "no_visit_months": None, "never_visited": False, "provider": None, "missing_type": None,
    "missing_type_months": None,
}


def _int(value: Any, name: str, low: int, high: int, problems: dict[str, list[str]]) -> int | None:
    if value in (None, ""):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = -1
    if not low <= number <= high:
        problems[name] = [_("A whole number from %(low)s to %(high)s.") % {"low": low, "high": high}]
        return None
    return number


def filters_clean(raw: dict[str, Any], *, default_location: int) -> dict[str, Any]:
    """The filters, checked and normalised; ValidationFailed naming each bad one (unknown names too)."""
    problems: dict[str, list[str]] = {}
    unknown = sorted(set(raw) - set(FILTERS))
    if unknown:
        raise ValidationFailed("unknown-filter", _("These are not cohort filters: %(names)s")
                               % {"names": ", ".join(unknown)[:200]})
    clean = dict(FILTERS)
    locations = raw.get("locations") or [default_location]
    try:
        clean["locations"] = sorted({int(pk) for pk in locations})
    except (TypeError, ValueError):
        problems["locations"] = [_("Choose locations from the list.")]
    clean["age_min"] = _int(raw.get("age_min"), "age_min", 0, MAX_AGE, problems)
    clean["age_max"] = _int(raw.get("age_max"), "age_max", 0, MAX_AGE, problems)
    if clean["age_min"] is not None and clean["age_max"] is not None and clean["age_min"] > clean["age_max"]:
        problems["age_max"] = [_("The oldest age is below the youngest.")]
    for name, allowed in (("ages", AGES), ("language", LANGUAGES), ("sex", ("", *Sex.values))):
        clean[name] = raw.get(name) or ""
        if clean[name] not in allowed:
            problems[name] = [_("Choose from the list.")]
    clean["no_visit_months"] = _int(raw.get("no_visit_months"), "no_visit_months", 1, MAX_MONTHS, problems)
    clean["never_visited"] = bool(raw.get("never_visited"))
    clean["provider"] = _int(raw.get("provider"), "provider", 1, 2**31, problems)
    if clean["provider"] is not None and not Practitioner.objects.filter(pk=clean["provider"]).exists():
        problems["provider"] = [_("Choose a provider from the list.")]
    clean["missing_type"] = _int(raw.get("missing_type"), "missing_type", 1, 2**31, problems)
    if clean["missing_type"] is not None and not AppointmentType.objects.filter(pk=clean["missing_type"]).exists():
        problems["missing_type"] = [_("Choose an appointment type from the list.")]
    clean["missing_type_months"] = _int(raw.get("missing_type_months"), "missing_type_months", 1, MAX_MONTHS,
                                        problems)
    if clean["missing_type"] is not None and clean["missing_type_months"] is None:
        problems["missing_type_months"] = [_("How many months back to look for that visit.")]
    if problems:
        raise ValidationFailed("invalid-filters", _("Check the highlighted filters."), fields=problems)
    return clean


def _born_on_or_before(today: dt.date, years: int) -> dt.date:
    return today - relativedelta(years=years)


def cohort_queryset(filters: dict[str, Any], *, today: dt.date | None = None) -> QuerySet[Patient]:
    """The patients the (clean) filters select: living, active, current (not merged), not restricted charts at the
    chosen locations. One SQL statement; visit conditions are (NOT) EXISTS subqueries on the appointment indexes."""
    today = today or clock.now().date()
    now = clock.now()
    patients = patient_selectors.outreach_patients(location_ids=filters["locations"])
    age_min, age_max, ages = filters.get("age_min"), filters.get("age_max"), filters.get("ages")
    if ages == "minors":
        age_max = min(age_max, ADULT - 1) if age_max is not None else ADULT - 1
    elif ages == "adults":
        age_min = max(age_min, ADULT) if age_min is not None else ADULT
    if age_min is not None:
        patients = patients.filter(birth_date__lte=_born_on_or_before(today, age_min))
    if age_max is not None:
        patients = patients.filter(birth_date__gt=_born_on_or_before(today, age_max + 1))
    if filters.get("sex"):
        patients = patients.filter(sex=filters["sex"])
    if filters.get("language"):
        patients = patients.filter(preferred_language__startswith=filters["language"])
    visits = Appointment.objects.filter(patient=OuterRef("pk"), status=AppointmentStatus.FULFILLED)
    if filters.get("never_visited"):
        patients = patients.filter(~Exists(visits))
    if filters.get("no_visit_months"):
        since = now - relativedelta(months=filters["no_visit_months"])
        patients = patients.filter(~Exists(visits.filter(start__gte=since)))
    if filters.get("provider"):
        patients = patients.filter(Exists(Appointment.objects.filter(
            patient=OuterRef("pk"), practitioner_id=filters["provider"]).exclude(status__in=NOT_MADE)))
    if filters.get("missing_type"):
        since = now - relativedelta(months=filters["missing_type_months"] or 12)
        patients = patients.filter(~Exists(visits.filter(appointment_type_id=filters["missing_type"],
                                                         start__gte=since)))
    return patients


@dataclass
class Preview:
    count: int
    sample: list[Patient] = field(default_factory=list)


def _campaign(actor: Actor, campaign_id: int, perm: Perm = Perm.OUTREACH_USE) -> Campaign:
    campaign = Campaign.objects.select_related("location").filter(pk=campaign_id).first()
    if campaign is None:
        raise NotFound()
    require(actor, perm, location=campaign.location_id, hide=True, resource_type="campaign",
            resource_id=campaign.pk)
    return campaign


def campaign_detail(*, actor: Actor, campaign_id: int) -> Campaign:
    return _campaign(actor, campaign_id)


def campaigns_list(*, actor: Actor, location_id: int) -> QuerySet[Campaign]:
    require(actor, Perm.OUTREACH_USE, location=location_id)
    return (Campaign.objects.filter(location_id=location_id).select_related("location")
            .annotate(member_count=Count("members", filter=Q(members__excluded=False))))


def cohort_preview(*, actor: Actor, location_id: int, filters: dict[str, Any]) -> Preview:
    """How many patients the filters select, and the first few (names shown to the coordinator: audited)."""
    require(actor, Perm.OUTREACH_ADMIN, location=location_id)
    clean = filters_clean(filters, default_location=location_id)
    for pk in clean["locations"]:
        require(actor, Perm.OUTREACH_ADMIN, location=pk)
    patients = cohort_queryset(clean)
    count = patients.count()
    sample = list(patients.select_related("home_location").order_by("family_name", "given_name", "pk")[:SAMPLE])
    record(actor, "campaign.cohort_preview", detail={"count": count, "shown": [p.pk for p in sample]})
    return Preview(count=count, sample=sample)


def campaign_members(*, actor: Actor, campaign_id: int, limit: int = 500) -> tuple[Campaign, list[CampaignMember]]:
    """The members of a campaign with their outcome (coordinators only; audited as a read of the patients)."""
    campaign = _campaign(actor, campaign_id, Perm.OUTREACH_ADMIN)
    rows = list(CampaignMember.objects.filter(campaign=campaign).select_related("patient", "message")
                .order_by("excluded", "patient__family_name", "patient__given_name", "pk")[:limit])
    booked = booked_patient_ids(campaign, [m.patient_id for m in rows if m.contacted_at])
    for member in rows:
        member.booked = member.patient_id in booked  # type: ignore[attr-defined]
    record(actor, "campaign.members_read", campaign, detail={"shown": len(rows)})
    return campaign, rows


def _booking_after_contact(campaign: Campaign) -> Exists:
    """An appointment made for the member's patient after they were contacted, within the campaign's window."""
    window = dt.timedelta(days=campaign.window_days)
    return Exists(Appointment.objects.filter(
        patient=OuterRef("patient_id"), created_at__gte=OuterRef("contacted_at"),
        created_at__lte=ExpressionWrapper(OuterRef("contacted_at") + window, output_field=DateTimeField()))
        .exclude(status__in=NOT_MADE))


def booked_patient_ids(campaign: Campaign, patient_ids: list[int] | None = None) -> set[int]:
    members = CampaignMember.objects.filter(campaign=campaign, state=MemberState.CONTACTED)
    if patient_ids is not None:
        members = members.filter(patient_id__in=patient_ids)
    return set(members.filter(_booking_after_contact(campaign)).values_list("patient_id", flat=True))


def _rate(part: int, whole: int) -> float:
    return round(100.0 * part / whole, 1) if whole else 0.0


def campaign_report(*, actor: Actor, campaign_id: int) -> dict[str, Any]:
    """Reach, responses and cost of one campaign (counts only, no names)."""
    campaign = _campaign(actor, campaign_id)
    members = CampaignMember.objects.filter(campaign=campaign, excluded=False)
    contacted = Q(state=MemberState.CONTACTED)
    counts = members.aggregate(
        cohort=Count("pk"), waiting=Count("pk", filter=Q(state=MemberState.WAITING)),
        contacted=Count("pk", filter=contacted),
        not_contactable=Count("pk", filter=Q(state=MemberState.NOT_CONTACTABLE)),
        delivered=Count("pk", filter=contacted & Q(message__status__in=DELIVERED)),
        sent=Count("pk", filter=contacted & Q(message__status__in=HANDED_OVER)),
        unreachable=Count("pk", filter=contacted & Q(message__status__in=UNREACHABLE)),
        declined=Count("pk", filter=contacted & Q(declined_at__isnull=False)),
        sent_email=Count("pk", filter=contacted & Q(channel="email", message__status__in=HANDED_OVER)),
        sent_sms=Count("pk", filter=contacted & Q(channel="sms", message__status__in=HANDED_OVER)),
    )
    counts["booked"] = members.filter(contacted).filter(_booking_after_contact(campaign)).count()
    cost = (campaign.cost_email * counts["sent_email"] + campaign.cost_sms * counts["sent_sms"]).quantize(
        Decimal("0.01"))
    reached = counts["contacted"]
    refusals = dict(members.filter(state=MemberState.NOT_CONTACTABLE).values_list("refusal")
                    .annotate(n=Count("pk")).values_list("refusal", "n"))
    return {**counts, "cost": cost, "refusals": refusals, "waves": campaign.waves,
            "reach_rate": _rate(reached, counts["cohort"]), "delivery_rate": _rate(counts["delivered"], reached),
            "booking_rate": _rate(counts["booked"], reached), "decline_rate": _rate(counts["declined"], reached),
            "unreachable_rate": _rate(counts["unreachable"], reached),
            "cost_per_booking": (cost / counts["booked"]).quantize(Decimal("0.01")) if counts["booked"] else None}


def practitioners_for_filters() -> QuerySet[Practitioner]:
    """Every provider, those who left (inactive) included: 'patients of a provider who left'."""
    return Practitioner.objects.order_by("-active", "last_name", "first_name")


def appointment_types_for_filters() -> QuerySet[AppointmentType]:
    return AppointmentType.objects.order_by("name")


def locations_named() -> QuerySet[Location]:
    return Location.objects.order_by("name")


def campaigns_for_api(*, actor: Actor) -> QuerySet[Campaign]:
    """The campaigns of every location where the caller may use outreach."""
    from clinicdesk.core.permissions import has_perm
    from clinicdesk.practice.selectors import locations_for

    allowed = [loc.pk for loc in locations_for(actor) if has_perm(actor, Perm.OUTREACH_USE, location=loc.pk)]
    if not allowed:
        require(actor, Perm.OUTREACH_USE)  # refused, and audited as such
    return Campaign.objects.filter(location_id__in=allowed).select_related("location")
