"""The correspondence screens (#24): write a message or letter, what was sent, the compose templates, the
incoming-mail worklist. Thin over `compose`, `incoming` and `selectors_incoming`."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clinicdesk.core import clock
from clinicdesk.core.exceptions import DomainError, NotFound
from clinicdesk.core.forms import form_add_domain_error
from clinicdesk.core.locations import current_location
from clinicdesk.core.permissions import Actor, Perm, has_perm, require
from clinicdesk.patients.selectors import patient_search
from clinicdesk.practice.selectors import locations_for

from . import compose, incoming, selectors_incoming
from .compose_forms import IncomingForm, IncomingUpdateForm, TemplateForm
from .models import ComposeChannel, ComposeTemplate, IncomingItem

FIXABLE = (409, 422)


def _actor(request: HttpRequest) -> Actor:
    return cast(Actor, request.user)


def _location(request: HttpRequest) -> Any:
    locations = list(locations_for(_actor(request)))
    if not locations:
        raise NotFound("no-location", _("You are not assigned to any location."))
    chosen = current_location(request, locations)
    if chosen is None and (request.GET.get("location") or request.POST.get("location")):
        raise NotFound()
    return chosen if chosen is not None else locations[0]


def _tabs(request: HttpRequest, current: str) -> list[dict[str, Any]]:
    tabs = [("compose", pgettext("correspondence tab", "Write"), "comms:compose"),
            ("sent", pgettext("correspondence tab", "Sent"), "comms:sent"),
            ("incoming", _("Incoming mail"), "comms:incoming")]
    if has_perm(_actor(request), Perm.PRACTICE_ADMIN):
        tabs.append(("templates", _("Templates"), "comms:compose_templates"))
    return [{"label": label, "url": reverse(name), "current": key == current} for key, label, name in tabs]


def _page(request: HttpRequest, template: str, context: dict[str, Any], current: str, status: int = 200
          ) -> HttpResponse:
    return render(request, template, {"tabs": _tabs(request, current), **context}, status=status)


# --- compose -----------------------------------------------------------------------------------
def _chosen_ids(request: HttpRequest) -> list[str]:
    source = request.POST if request.method == "POST" else request.GET
    return source.getlist("patient")


@login_required
@require_http_methods(["GET", "POST"])
def compose_page(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    location = _location(request)
    require(actor, Perm.CORRESPONDENCE_WRITE, location=location.pk)
    channel = (request.POST.get("channel") or request.GET.get("channel") or ComposeChannel.LETTER)
    if channel not in ComposeChannel.values:
        channel = ComposeChannel.LETTER
    error, fields, status = "", {}, 200
    if request.method == "POST":
        template_id = request.POST.get("template") or ""
        try:
            result = compose.compose_send(
                actor=actor, patient_ids=[int(i) for i in _chosen_ids(request) if i.isdigit()], channel=channel,
                batch=request.POST.get("batch", ""), template_id=int(template_id) if template_id.isdigit() else None,
                subject=request.POST.get("subject", ""), body=request.POST.get("body", ""))
        except DomainError as refusal:
            if refusal.status not in FIXABLE:
                raise
            error, fields, status = refusal.detail, refusal.fields, refusal.status
        else:
            messages.success(request, _("Written to %(count)s patient(s).") % {"count": len(result.sent)})
            for patient, reason in result.skipped:
                messages.warning(request, _("Not sent to %(name)s: %(reason)s")
                                 % {"name": patient.display_name, "reason": reason})
            return redirect(f"{reverse('comms:sent')}?location={location.pk}")
    query = request.GET.get("q", "").strip()
    chosen = selectors_incoming.patient_choices(actor=actor, ids=_chosen_ids(request))
    found = [p for p in patient_search(actor=actor, query=query, limit=15) if p not in chosen] if query else []
    context = {
        "location": location, "channel": channel, "channels": ComposeChannel.choices,
        "templates": selectors_incoming.compose_templates(channel=channel), "chosen": chosen, "found": found,
        "query": query, "batch": request.POST.get("batch") or compose.new_batch(), "error": error,
        "fields": fields, "form_values": request.POST, "merge_fields": compose.FIELDS,
        "selected_template": request.POST.get("template") or request.GET.get("template", ""),
    }
    return _page(request, "comms/correspondence/compose.html", context, "compose", status=status)


@login_required
@require_GET
def sent_page(request: HttpRequest) -> HttpResponse:
    location = _location(request)
    rows = selectors_incoming.sent_correspondence(actor=_actor(request), location_id=location.pk)
    return _page(request, "comms/correspondence/sent.html", {"rows": rows, "location": location}, "sent")


# --- templates ---------------------------------------------------------------------------------
@login_required
@require_GET
def templates_page(request: HttpRequest) -> HttpResponse:
    require(_actor(request), Perm.PRACTICE_ADMIN)
    rows = selectors_incoming.compose_templates(active_only=False)
    return _page(request, "comms/correspondence/templates.html", {"rows": rows}, "templates")


@login_required
@require_http_methods(["GET", "POST"])
def template_new(request: HttpRequest) -> HttpResponse:
    require(_actor(request), Perm.PRACTICE_ADMIN)
    form = TemplateForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                template = compose.compose_template_create(actor=_actor(request), **form.cleaned_data)
            except DomainError as refusal:
                form_add_domain_error(form, refusal)
            else:
                messages.success(request, _("Template saved."))
                return redirect("comms:compose_template", template_id=template.pk)
        status = 422
    return _page(request, "comms/correspondence/template.html",
                 {"form": form, "title": _("New template"), "merge_fields": compose.FIELDS}, "templates", status)


@login_required
@require_http_methods(["GET", "POST"])
def template_edit(request: HttpRequest, template_id: int) -> HttpResponse:
    require(_actor(request), Perm.PRACTICE_ADMIN)
    template = ComposeTemplate.objects.prefetch_related("versions__created_by").filter(pk=template_id).first()
    if template is None:
        raise NotFound()
    current = template.current
    initial = {"active": template.active, **({name: getattr(current, name) for name in
                                              ("subject_en", "body_en", "subject_es", "body_es")} if current else {})}
    form = TemplateForm(request.POST or None, initial=initial, editing=True)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                compose.compose_template_revise(actor=_actor(request), template_id=template.pk, **form.cleaned_data)
            except DomainError as refusal:
                form_add_domain_error(form, refusal)
            else:
                messages.success(request, _("Saved as a new version."))
                return redirect("comms:compose_template", template_id=template.pk)
        status = 422
    return _page(request, "comms/correspondence/template.html",
                 {"form": form, "title": template.name, "template": template,
                  "versions": template.versions.all().order_by("-number"), "merge_fields": compose.FIELDS},
                 "templates", status)


# --- incoming ----------------------------------------------------------------------------------
def _people(location: Any) -> list[tuple[int, str]]:
    return selectors_incoming.people_at(location_id=location.pk)


def _date(value: Any) -> dt.date | None:
    return value if isinstance(value, dt.date) else None


@login_required
@require_GET
def incoming_page(request: HttpRequest) -> HttpResponse:
    location = _location(request)
    state = request.GET.get("state", "open")
    rows = list(selectors_incoming.incoming_worklist(actor=_actor(request), location_id=location.pk, state=state))
    states = [("open", _("Open")), *IncomingItem.State.choices]
    return _page(request, "comms/correspondence/incoming.html",
                 {"rows": rows, "location": location, "state": state, "states": states,
                  "today": clock.now().astimezone(location.tz).date()}, "incoming")


@login_required
@require_http_methods(["GET", "POST"])
def incoming_new(request: HttpRequest) -> HttpResponse:
    location = _location(request)
    require(_actor(request), Perm.CORRESPONDENCE_WRITE, location=location.pk)
    initial = {"received_on": clock.now().astimezone(location.tz).date()}
    form = IncomingForm(request.POST or None, request.FILES or None, people=_people(location), initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                item = incoming.incoming_log(
                    actor=_actor(request), location_id=location.pk, medium=data["medium"], kind=data["kind"],
                    sender=data["sender"], subject=data["subject"], received_on=data["received_on"],
                    upload=data["file"], pool=data["pool"], assignee_id=data["assignee"],
                    due_date=_date(data["due_date"]), note=data["note"])
            except DomainError as refusal:
                if refusal.status not in FIXABLE:
                    raise
                form_add_domain_error(form, refusal)
            else:
                messages.success(request, _("Logged. Link it to the patient it is about."))
                return redirect("comms:incoming_item", item_id=item.pk)
        status = 422
    return _page(request, "comms/correspondence/incoming_new.html", {"form": form, "location": location},
                 "incoming", status)


@login_required
@require_http_methods(["GET", "POST"])
def incoming_item(request: HttpRequest, item_id: int) -> HttpResponse:
    actor = _actor(request)
    item = selectors_incoming.incoming_item(actor=actor, item_id=item_id)
    initial = {"kind": item.kind, "pool": item.pool, "assignee": item.assignee_id, "due_date": item.due_date,
               "note": item.note}
    form = IncomingUpdateForm(request.POST or None, people=_people(item.location), initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            patient = request.POST.get("patient", "")
            try:
                incoming.incoming_update(actor=actor, item_id=item.pk, kind=data["kind"],
                                         patient_id=int(patient) if patient.isdigit() else None, pool=data["pool"],
                                         assignee_id=data["assignee"], due_date=_date(data["due_date"]),
                                         note=data["note"])
            except DomainError as refusal:
                if refusal.status not in FIXABLE:
                    raise
                form_add_domain_error(form, refusal)
            else:
                messages.success(request, _("Saved."))
                return redirect("comms:incoming_item", item_id=item.pk)
        status = 422
    query = request.GET.get("q", "").strip()
    found = patient_search(actor=actor, query=query, limit=10) if query else []
    return _page(request, "comms/correspondence/incoming_item.html",
                 {"item": item, "form": form, "found": found, "query": query}, "incoming", status)


@login_required
@require_POST
def incoming_done(request: HttpRequest, item_id: int) -> HttpResponse:
    incoming.incoming_done(actor=_actor(request), item_id=item_id)
    messages.success(request, _("Marked done."))
    return redirect("comms:incoming")


@login_required
@require_GET
def incoming_file(request: HttpRequest, item_id: int, file_id: int) -> FileResponse:
    file, handle = selectors_incoming.incoming_file_open(actor=_actor(request), item_id=item_id, file_id=file_id)
    return FileResponse(handle, content_type=file.content_type,
                        filename=f"incoming-{item_id}-{file.pk}.{file.storage_name.rsplit('.', 1)[-1]}")
