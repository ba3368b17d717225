"""Pages of the desk-to-provider heads-up (frontdesk.headsup): the send form (from the flow board or the chart),
the provider's inbox (polled every 5 s by every page that includes frontdesk/_headsup_poll.html) and the
acknowledgement."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clinicdesk.core.exceptions import DomainError, PermissionDenied
from clinicdesk.core.forms import form_add_domain_error

from . import headsup

STOP_POLLING = 286  # htmx stops polling on this status


class HeadsUpForm(forms.Form):
    message = forms.CharField(label=gettext_lazy("Note to the provider"), max_length=headsup.MAX_MESSAGE,
                              help_text=gettext_lazy("Short and factual, e.g. “The patient in room 3 is agitated.”"))


@login_required
@require_http_methods(["GET", "POST"])
def headsup_new(request: HttpRequest, visit_id: int) -> HttpResponse:
    visit = headsup.headsup_visit(actor=request.user, visit_id=visit_id)
    form = HeadsUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            headsup.headsup_send(actor=request.user, visit_id=visit.pk, message=form.cleaned_data["message"])
        except DomainError as error:
            if isinstance(error, PermissionDenied):
                raise
            form_add_domain_error(form, error)
        else:
            messages.success(request, _("Heads-up sent to %(provider)s.") % {"provider": visit.practitioner})
            return redirect(reverse("frontdesk:board") + f"?location={visit.location_id}")
    return render(request, "frontdesk/headsup_form.html", {"visit": visit, "form": form},
                  status=422 if form.errors else 200)


@login_required
@require_GET
def headsup_for_patient(request: HttpRequest, patient_id: int) -> HttpResponse:
    visit = headsup.headsup_visit_for_patient(actor=request.user, patient_id=patient_id)
    return redirect("frontdesk:headsup_new", visit.pk)


@login_required
@require_GET
def headsup_inbox(request: HttpRequest) -> HttpResponse:
    if not headsup.may_receive(request.user):
        return HttpResponse("", status=STOP_POLLING)
    notes = headsup.headsup_inbox(actor=request.user)
    return render(request, "frontdesk/_headsup_inbox.html", {"notes": notes})


@login_required
@require_POST
def headsup_ack(request: HttpRequest, headsup_id: int) -> HttpResponse:
    headsup.headsup_acknowledge(actor=request.user, headsup_id=headsup_id)
    if request.htmx:
        return render(request, "frontdesk/_headsup_inbox.html", {"notes": headsup.headsup_inbox(actor=request.user)})
    messages.success(request, _("Heads-up acknowledged."))
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return redirect(target)
    return redirect("home")
