"""The scheduled reports screens: the list, the form (create and edit), delete, and "send me a preview now"."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import formats
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clinicdesk.core.exceptions import ValidationFailed
from clinicdesk.core.permissions import Actor
from clinicdesk.core.timezones import zone

from ..dashboards.filters import dashboard_scope
from .forms import SubscriptionForm, initial_from
from .services import (
    FIGURE_LABELS,
    deliveries_recent,
    recipients_choices,
    subscription_create,
    subscription_delete,
    subscription_get,
    subscription_send_now,
    subscription_update,
    subscriptions_list,
)
from .tables import WEEKDAYS


@login_required
@require_GET
def subscriptions(request: HttpRequest) -> HttpResponse:
    actor = cast(Actor, request.user)
    rows = []
    weekdays = dict(WEEKDAYS)
    for sub in subscriptions_list(actor=actor):
        figures = ", ".join(str(FIGURE_LABELS[k]) for k in sub.figures if k in FIGURE_LABELS) or _("Every figure")
        when = _("%(weekday)s at %(hour)s") % {"weekday": weekdays[sub.weekday], "hour": f"{sub.hour:02d}:00"}
        following = formats.date_format(sub.next_send_at.astimezone(zone(sub.time_zone)), "DATETIME_FORMAT")
        rows.append({"sub": sub, "figures": figures, "when": when, "next": following,
                     "people": ", ".join(u.get_full_name() or u.get_username() for u in sub.recipients.all())})
    return render(request, "insight/subscriptions.html", {"rows": rows, "deliveries": deliveries_recent(actor=actor)})


def _form_page(request: HttpRequest, subscription_id: int | None) -> HttpResponse:
    actor = cast(Actor, request.user)
    scope = dashboard_scope(actor=actor)
    people = recipients_choices(actor=actor, scope=scope)
    existing = subscription_get(actor=actor, subscription_id=subscription_id) if subscription_id else None
    initial = initial_from(existing) if existing else {"recipients": [str(actor.pk)]}
    form = SubscriptionForm(request.POST or None, initial=initial, scope=scope, people=people)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                if existing is None:
                    subscription_create(actor=actor, data=form.to_input())
                    messages.success(request, _("The scheduled report was created."))
                else:
                    subscription_update(actor=actor, subscription_id=existing.pk, data=form.to_input())
                    messages.success(request, _("The scheduled report was saved."))
                return redirect("insight:subscriptions")
            except ValidationFailed as error:
                for field, problems in (error.fields or {}).items():
                    form.add_error(field if field in form.fields else None, problems)
                if not error.fields:
                    form.add_error(None, error.detail)
        status = 422
    return render(request, "insight/subscription_form.html", {"form": form, "subscription": existing},
                  status=status)


@login_required
@require_http_methods(["GET", "POST"])
def subscription_new(request: HttpRequest) -> HttpResponse:
    return _form_page(request, None)


@login_required
@require_http_methods(["GET", "POST"])
def subscription_edit(request: HttpRequest, subscription_id: int) -> HttpResponse:
    return _form_page(request, subscription_id)


@login_required
@require_POST
def subscription_remove(request: HttpRequest, subscription_id: int) -> HttpResponse:
    subscription_delete(actor=cast(Actor, request.user), subscription_id=subscription_id)
    messages.success(request, _("The scheduled report was deleted."))
    return redirect("insight:subscriptions")


@login_required
@require_POST
def subscription_preview(request: HttpRequest, subscription_id: int) -> HttpResponse:
    try:
        address = subscription_send_now(actor=cast(Actor, request.user), subscription_id=subscription_id)
    except ValidationFailed as error:
        messages.error(request, error.detail)
    else:
        messages.success(request, _("A preview was sent to %(address)s.") % {"address": address})
    return redirect("insight:subscriptions")
