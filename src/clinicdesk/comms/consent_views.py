"""The contact-preferences screen on the patient's chart (#24 item 5): who may be contacted for what by which
channel, the history of consent records, and the desk's form to record a consent granted or withdrawn."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from clinicdesk.core.exceptions import DomainError
from clinicdesk.core.forms import form_add_domain_error
from clinicdesk.core.permissions import Actor

from .consent_forms import ConsentForm
from .consent_records import consent_overview, consent_record

FIXABLE = (409, 422)


@login_required
@require_http_methods(["GET", "POST"])
def contact_preferences(request: HttpRequest, patient_id: int) -> HttpResponse:
    actor = cast(Actor, request.user)
    form = ConsentForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                consent_record(actor=actor, patient_id=patient_id, channel=data["channel"], purpose=data["purpose"],
                               granted=data["answer"] == "granted", source=data["source"], note=data["note"])
            except DomainError as refusal:
                if refusal.status not in FIXABLE:
                    raise
                form_add_domain_error(form, refusal)
            else:
                messages.success(request, _("Consent recorded."))
                return redirect("comms:contact_preferences", patient_id=patient_id)
        status = 422
    overview = consent_overview(actor=actor, patient_id=patient_id)
    return render(request, "comms/contact_preferences.html", {"overview": overview, "patient": overview.patient,
                                                              "form": form}, status=status)
