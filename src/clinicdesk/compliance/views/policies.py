"""The HIPAA program (risk assessment checklist, business associate agreements, officers), the policy manual
(policies, versions, acknowledgements by person, reminders), the staff member's own policies to acknowledge, and
the files kept by the program."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.http import FileResponse, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clinicdesk.core import clock
from clinicdesk.core.permissions import Perm, require

from .. import selectors, selectors_program, services
from ..forms_program import BaaForm, OfficerForm, PolicyForm, RiskItemForm, StartAssessmentForm, VersionForm
from ..models import OfficerRole
from ..questions import RISK_QUESTIONS
from ._common import _actor, _locations, _page, add_page, post_back


def _today(request: HttpRequest) -> dt.date:
    location, _all = _locations(request)
    return clock.today_in(location.tz)


def _staff(request: HttpRequest) -> list[tuple[int, str]]:
    location, _all = _locations(request)
    return selectors.staff_at(location.pk)


# --- HIPAA program ------------------------------------------------------------------------------------------------
@login_required
@require_GET
def hipaa(request: HttpRequest) -> HttpResponse:
    require(_actor(request), Perm.COMPLIANCE_ADMIN, resource_type="riskassessment")
    raw = request.GET.get("year", "")
    year = int(raw) if raw.isdigit() and 2000 <= int(raw) <= 2100 else _today(request).year
    program = selectors_program.hipaa_program(actor=_actor(request), year=year)
    staff = _staff(request)
    items = [{"item": i, "question": RISK_QUESTIONS.get(i.question, i.question),
              "form": RiskItemForm(staff=staff, prefix=f"q{i.pk}", initial={
                  "status": i.status, "owner_id": i.owner_id, "evidence_note": i.evidence_note})}
             for i in program.items]
    officers = [{"label": label, "officer": program.officers.get(role)} for role, label in OfficerRole.choices]
    return _page(request, "compliance/hipaa.html", {
        "program": program, "items": items, "officers": officers, "year": year,
        "start_form": StartAssessmentForm(staff=staff, initial={"owner_id": request.user.pk}),
        "officer_form": OfficerForm(staff=staff, initial={"since": _today(request)}),
        "open_items": sum(1 for i in program.items if i.status == "open")}, "hipaa")


@login_required
@require_POST
def assessment_start(request: HttpRequest) -> HttpResponse:
    year = _today(request).year
    return post_back(request, reverse("compliance:hipaa"),
                     lambda d: services.risk_assessment_start(actor=_actor(request), year=year, **d),
                     _("The risk assessment is open: answer each question with its evidence."),
                     form=StartAssessmentForm(request.POST, staff=_staff(request)))


@login_required
@require_POST
def risk_item(request: HttpRequest, item_id: int) -> HttpResponse:
    form = RiskItemForm(request.POST, request.FILES, staff=_staff(request), prefix=f"q{item_id}")
    return post_back(request, reverse("compliance:hipaa") + f"#q{item_id}",
                     lambda d: services.risk_item_update(actor=_actor(request), item_id=item_id, **d),
                     _("Answer saved."), form=form)


@login_required
@require_POST
def assessment_complete(request: HttpRequest, assessment_id: int) -> HttpResponse:
    return post_back(request, reverse("compliance:hipaa"),
                     lambda d: services.risk_assessment_complete(actor=_actor(request), assessment_id=assessment_id,
                                                                 today=_today(request)),
                     _("The risk assessment is complete."))


@login_required
@require_http_methods(["GET", "POST"])
def baa_new(request: HttpRequest) -> HttpResponse:
    require(_actor(request), Perm.COMPLIANCE_ADMIN, resource_type="businessassociate")
    return add_page(request, BaaForm(request.POST or None, request.FILES or None),
                    lambda d: services.baa_add(actor=_actor(request), **d),
                    done=_("Agreement recorded."), then=lambda made: reverse("compliance:hipaa"),
                    title=_("Record a business associate agreement"),
                    intro=_("Every vendor that creates, receives, keeps or sends patient information for the "
                            "practice signs one. Its review or expiry date shows on the compliance calendar."),
                    submit=_("Record agreement"), cancel=reverse("compliance:hipaa"))


@login_required
@require_POST
def officer_set(request: HttpRequest) -> HttpResponse:
    return post_back(request, reverse("compliance:hipaa"),
                     lambda d: services.officer_set(actor=_actor(request), **d), _("Officer designated."),
                     form=OfficerForm(request.POST, staff=_staff(request)))


# --- the policy manual ------------------------------------------------------------------------------------------
@login_required
@require_GET
def policies(request: HttpRequest) -> HttpResponse:
    rows = selectors_program.policies_list(actor=_actor(request))
    return _page(request, "compliance/policies.html", {"rows": rows, "today": _today(request)}, "policies")


@login_required
@require_http_methods(["GET", "POST"])
def policy_new(request: HttpRequest) -> HttpResponse:
    require(_actor(request), Perm.COMPLIANCE_ADMIN, resource_type="policy")
    form = PolicyForm(request.POST or None, staff=_staff(request))
    return add_page(request, form, lambda d: services.policy_add(actor=_actor(request), **d),
                    done=_("Policy added: publish its first version."),
                    then=lambda made: reverse("compliance:policy", args=[made.pk]),
                    title=_("Add a policy"), intro=_("A policy or procedure of the manual, its owner, its review "
                                                     "date and the roles that must acknowledge each version."),
                    submit=_("Add policy"), cancel=reverse("compliance:policies"))


@login_required
@require_GET
def policy(request: HttpRequest, policy_id: int) -> HttpResponse:
    tracking = selectors_program.policy_tracking(actor=_actor(request), policy_id=policy_id)
    done = sum(1 for a in tracking.acks if a.acknowledged_at)
    return _page(request, "compliance/policy.html", {
        "tracking": tracking, "done": done, "missing": len(tracking.acks) - done,
        "version_form": VersionForm(initial={"effective_on": _today(request)})}, "policies")


@login_required
@require_POST
def policy_publish(request: HttpRequest, policy_id: int) -> HttpResponse:
    return post_back(request, reverse("compliance:policy", args=[policy_id]),
                     lambda d: services.policy_publish(actor=_actor(request), policy_id=policy_id, **d),
                     _("Version published: everyone in its audience is asked to acknowledge it."),
                     form=VersionForm(request.POST, request.FILES))


@login_required
@require_POST
def policy_remind(request: HttpRequest, policy_id: int, version_id: int) -> HttpResponse:
    return post_back(request, reverse("compliance:policy", args=[policy_id]),
                     lambda d: services.policy_remind(actor=_actor(request), version_id=version_id),
                     lambda count: _("Reminded %(n)s staff members.") % {"n": count})


@login_required
@require_GET
def policy_people(request: HttpRequest) -> HttpResponse:
    rows = selectors_program.policy_people(actor=_actor(request))
    return _page(request, "compliance/policy_people.html", {"rows": rows}, "policies")


@login_required
@require_GET
def my_policies(request: HttpRequest) -> HttpResponse:
    pending = selectors_program.my_pending(actor=_actor(request))
    return _page(request, "compliance/my_policies.html", {"pending": pending}, "mine")


@login_required
@require_POST
def policy_acknowledge(request: HttpRequest, version_id: int) -> HttpResponse:
    return post_back(request, reverse("compliance:my-policies"),
                     lambda d: services.policy_acknowledge(actor=_actor(request), version_id=version_id),
                     _("Thank you: your acknowledgement is recorded."))


@login_required
@require_GET
def file(request: HttpRequest, file_id: int) -> FileResponse:
    found = selectors_program.file_detail(actor=_actor(request), file_id=file_id)
    response = FileResponse(default_storage.open(found.storage_name, "rb"), content_type=found.content_type)
    response["Content-Disposition"] = "inline"
    return response
