"""The outreach campaign screens (#24 item 4): the list, create/edit with the cohort filters and a live count, the
campaign page (review the members, leave some out, approve, send a wave, mark answers) and the report (with its CSV).
Thin over campaign_services and campaign_selectors."""

from __future__ import annotations

import csv
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clinicdesk.audit.services import record
from clinicdesk.core.exceptions import DomainError, ValidationFailed
from clinicdesk.core.forms import form_add_domain_error
from clinicdesk.core.permissions import Actor, Perm, has_perm, require
from clinicdesk.practice.selectors import locations_for

from . import campaign_selectors as selectors
from . import campaign_services as services
from .campaign_forms import CampaignForm, CohortForm, WaveForm
from .models import Campaign
from .views import FIXABLE, _location, _refused


def _actor(request: HttpRequest) -> Actor:
    return cast(Actor, request.user)


def _form(request: HttpRequest, data: Any = None, initial: Any = None, cls: type = CampaignForm) -> Any:
    return cls(data, initial=initial, locations=list(locations_for(_actor(request))),
               providers=list(selectors.practitioners_for_filters()),
               types=list(selectors.appointment_types_for_filters()))


@login_required
@require_GET
def campaigns_page(request: HttpRequest) -> HttpResponse:
    location = _location(request)
    actor = _actor(request)
    return render(request, "outreach/campaigns.html", {
        "campaigns": list(selectors.campaigns_list(actor=actor, location_id=location.pk)), "location": location,
        "may_create": has_perm(actor, Perm.OUTREACH_ADMIN, location=location.pk),
        "new_url": f"{reverse('outreach:campaign_new')}?location={location.pk}"})


def _form_page(request: HttpRequest, form: Any, campaign: Campaign | None, location: Any,
               status: int = 200) -> HttpResponse:
    return render(request, "outreach/campaign_form.html", {"form": form, "campaign": campaign, "location": location,
                                                           "merge_fields": services.CAMPAIGN_FIELDS}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def campaign_new(request: HttpRequest) -> HttpResponse:
    location = _location(request)
    require(_actor(request), Perm.OUTREACH_ADMIN, location=location.pk)
    form = _form(request, request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                campaign = services.campaign_create(actor=_actor(request), location_id=location.pk, **form.values())
            except DomainError as refusal:
                if refusal.status not in FIXABLE:
                    raise
                form_add_domain_error(form, refusal)
            else:
                messages.success(request, _("Campaign saved. Choose the cohort to review it."))
                return redirect("outreach:campaign", campaign_id=campaign.pk)
        return _form_page(request, form, None, location, 422)
    return _form_page(request, form, None, location)


@login_required
@require_http_methods(["GET", "POST"])
def campaign_edit(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = selectors.campaign_detail(actor=_actor(request), campaign_id=campaign_id)
    require(_actor(request), Perm.OUTREACH_ADMIN, location=campaign.location_id)
    initial = {name: getattr(campaign, name) for name in services.EDITABLE if name != "filters"}
    form = _form(request, request.POST or None, initial | CohortForm.initial_from(campaign.filters))
    if request.method == "POST":
        if form.is_valid():
            try:
                services.campaign_update(actor=_actor(request), campaign_id=campaign.pk, **form.values())
            except DomainError as refusal:
                if refusal.status not in FIXABLE:
                    raise
                form_add_domain_error(form, refusal)
            else:
                messages.success(request, _("Campaign saved."))
                return redirect("outreach:campaign", campaign_id=campaign.pk)
        return _form_page(request, form, campaign, campaign.location, 422)
    return _form_page(request, form, campaign, campaign.location)


@login_required
@require_POST
def cohort_count(request: HttpRequest) -> HttpResponse:
    """The live count (htmx): how many patients the filters on the form select, and a few of them."""
    location = _location(request)
    form = _form(request, request.POST, cls=CohortForm)
    preview, problem = None, ""
    if form.is_valid():
        try:
            preview = selectors.cohort_preview(actor=_actor(request), location_id=location.pk,
                                               filters=form.filters())
        except DomainError as refusal:
            if refusal.status not in FIXABLE:
                raise
            problem = " ".join(str(p) for ps in (refusal.fields or {}).values() for p in ps) or str(refusal.detail)
    else:
        problem = _("Check the highlighted filters.")
    return render(request, "outreach/_campaign_count.html", {"preview": preview, "problem": problem})


def filters_words(filters: dict[str, Any], names: dict[str, dict[int, str]]) -> list[str]:
    """The cohort filters as sentences (labels, not codes)."""
    words = []
    if filters.get("locations"):
        words.append(_("Patients of: %(names)s") % {"names": ", ".join(
            names["locations"].get(pk, "?") for pk in filters["locations"])})
    if filters.get("age_min") is not None or filters.get("age_max") is not None:
        words.append(_("Aged %(low)s to %(high)s") % {"low": filters.get("age_min") or 0,
                                                       "high": filters.get("age_max") or "…"})
    if filters.get("ages") == "minors":
        words.append(_("Children (under 18)"))
    elif filters.get("ages") == "adults":
        words.append(_("Adults (18 and over)"))
    if filters.get("sex"):
        words.append(str(dict(selectors.SEX_CHOICES).get(filters["sex"], "")))
    if filters.get("language"):
        words.append(_("Speaks English") if filters["language"] == "en" else _("Speaks Spanish"))
    if filters.get("no_visit_months"):
        words.append(_("No completed visit for %(months)s months") % {"months": filters["no_visit_months"]})
    if filters.get("never_visited"):
        words.append(_("Never had a completed visit"))
    if filters.get("provider"):
        words.append(_("Saw %(provider)s") % {"provider": names["providers"].get(filters["provider"], "?")})
    if filters.get("missing_type"):
        words.append(_("No “%(type)s” within %(months)s months") % {
            "type": names["types"].get(filters["missing_type"], "?"), "months": filters.get("missing_type_months")})
    return words or [_("Every patient of the location")]


def _names() -> dict[str, dict[int, str]]:
    return {"locations": {loc.pk: loc.name for loc in selectors.locations_named()},
            "providers": {p.pk: str(p) for p in selectors.practitioners_for_filters()},
            "types": {t.pk: t.name for t in selectors.appointment_types_for_filters()}}


@login_required
@require_GET
def campaign_page(request: HttpRequest, campaign_id: int) -> HttpResponse:
    actor = _actor(request)
    campaign = selectors.campaign_detail(actor=actor, campaign_id=campaign_id)
    may_manage = has_perm(actor, Perm.OUTREACH_ADMIN, location=campaign.location_id)
    members = selectors.campaign_members(actor=actor, campaign_id=campaign.pk)[1] if may_manage else []
    for member in members:
        member.refusal_words = services.refusal_label(member.refusal) if member.refusal else ""  # type: ignore[attr-defined]
    return render(request, "outreach/campaign.html", {
        "campaign": campaign, "members": members, "may_manage": may_manage,
        "included": sum(1 for m in members if not m.excluded),
        "filters": filters_words(campaign.filters, _names()), "wave_form": WaveForm(),
        "report": selectors.campaign_report(actor=actor, campaign_id=campaign.pk),
        "list_url": f"{reverse('outreach:campaigns')}?location={campaign.location_id}"})


STEPS: dict[str, Any] = {"freeze": services.cohort_freeze, "approve": services.campaign_approve,
                         "reopen": services.campaign_reopen, "finish": services.campaign_finish}


@login_required
@require_POST
def campaign_step(request: HttpRequest, campaign_id: int) -> HttpResponse:
    """Choose the cohort (again), approve it, reopen the draft, or finish the campaign."""
    step = request.POST.get("step", "")
    if step not in STEPS:
        messages.error(request, _("Choose what to do."))
        return redirect("outreach:campaign", campaign_id=campaign_id)
    try:
        result = STEPS[step](actor=_actor(request), campaign_id=campaign_id)
    except DomainError as refusal:
        _refused(request, refusal)
    else:
        messages.success(request, {
            "freeze": _("The cohort is chosen: %(count)s patients. Review them, then approve.") % {"count": result},
            "approve": _("The campaign is approved: send the first wave."),
            "reopen": _("The campaign is a draft again."),
            "finish": _("The campaign is finished.")}[step])
    return redirect("outreach:campaign", campaign_id=campaign_id)


@login_required
@require_POST
def campaign_wave(request: HttpRequest, campaign_id: int) -> HttpResponse:
    form = WaveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("A wave of 1 to %(max)s people.") % {"max": services.MAX_WAVE})
        return redirect("outreach:campaign", campaign_id=campaign_id)
    try:
        result = services.wave_send(actor=_actor(request), campaign_id=campaign_id, size=form.cleaned_data["size"])
    except DomainError as refusal:
        _refused(request, refusal)
    else:
        messages.success(request, _("Wave %(wave)s: %(contacted)s messages queued; %(refused)s people could not be "
                                    "contacted.") % {"wave": result["wave"], "contacted": result["contacted"],
                                                     "refused": result["not_contactable"]})
    return redirect("outreach:campaign", campaign_id=campaign_id)


@login_required
@require_POST
def campaign_member(request: HttpRequest, member_id: int) -> HttpResponse:
    """Leave a member out (or back in) before the review; mark that a contacted member declined (or undo)."""
    action = request.POST.get("do", "")
    actor = _actor(request)
    try:
        if action in ("exclude", "include"):
            member = services.member_exclude(actor=actor, member_id=member_id, excluded=action == "exclude")
        elif action in ("decline", "undecline"):
            member = services.member_decline(actor=actor, member_id=member_id, declined=action == "decline")
        else:
            raise ValidationFailed("bad-action", _("Choose what to do."))
    except DomainError as refusal:
        _refused(request, refusal)
        return redirect(request.POST.get("back") or reverse("outreach:campaigns"))
    messages.success(request, _("Saved."))
    return redirect(f"{reverse('outreach:campaign', args=[member.campaign_id])}#m{member.pk}")


@login_required
@require_GET
def campaign_report(request: HttpRequest, campaign_id: int) -> HttpResponse:
    actor = _actor(request)
    campaign = selectors.campaign_detail(actor=actor, campaign_id=campaign_id)
    report = selectors.campaign_report(actor=actor, campaign_id=campaign.pk)
    refusals = [(services.refusal_label(reason), count) for reason, count in sorted(report["refusals"].items())]
    return render(request, "outreach/campaign_report.html", {
        "campaign": campaign, "report": report, "refusals": refusals,
        "may_export": has_perm(actor, Perm.OUTREACH_ADMIN, location=campaign.location_id)})


@login_required
@require_GET
def campaign_csv(request: HttpRequest, campaign_id: int) -> HttpResponse:
    """One line per member: who, how they were contacted, what came of it (coordinators only; audited)."""
    actor = _actor(request)
    campaign, members = selectors.campaign_members(actor=actor, campaign_id=campaign_id, limit=10_000_000)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="campaign-{campaign.pk}.csv"'
    writer = csv.writer(response)
    writer.writerow([_("Last name"), _("First name"), _("Date of birth"), _("Left out"), _("State"), _("Wave"),
                     _("Channel"), _("Why not contacted"), _("Message"), pgettext("campaign response", "Booked"),
                     pgettext("campaign response", "Declined")])
    channels = {"email": _("E-mail"), "sms": _("Text message"), "": ""}
    for m in members:
        writer.writerow([m.patient.family_name, m.patient.given_name, formats.date_format(m.patient.birth_date,
                                                                                          "SHORT_DATE_FORMAT"),
                         _("Yes") if m.excluded else "", m.get_state_display(), m.wave or "",
                         channels.get(m.channel, m.channel), services.refusal_label(m.refusal) if m.refusal else "",
                         m.message.get_status_display() if m.message else "",
                         _("Yes") if getattr(m, "booked", False) else "", _("Yes") if m.declined_at else ""])
    record(actor, "campaign.export", campaign, detail={"rows": len(members)})
    return response
