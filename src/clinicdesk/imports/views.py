"""The import screen: choose a kind, upload a file, read the dry run's report, import; past imports with undo."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from clinicdesk.core.exceptions import DomainError
from clinicdesk.core.permissions import Perm, has_perm, require

from . import selectors, services
from .forms import ImportForm


def _kinds(request: HttpRequest) -> list[tuple[str, str]]:
    return [(kind.code, str(kind.label)) for kind in services.kinds_for(request.user)]


def _page(request: HttpRequest, form: ImportForm, *, report: services.Report | None = None, status: int = 200,
          checked: object = None) -> HttpResponse:
    kind = services.KINDS.get(report.kind) if report else None
    return render(request, "imports/home.html", {
        "form": form, "report": report, "report_kind": kind, "checked": checked,
        "batches": selectors.import_batches(actor=request.user),
        "last_id": selectors.import_last_in_effect_id(),
        "may_issue_passwords": has_perm(request.user, Perm.USER_ADMIN),
    }, status=status)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    require(request.user, Perm.PRACTICE_ADMIN)
    if request.method != "POST":
        return _page(request, ImportForm(kinds=_kinds(request)))
    form = ImportForm(request.POST, request.FILES, kinds=_kinds(request))
    if not form.is_valid():
        return _page(request, form, status=422)
    upload = form.cleaned_data["file"]
    try:
        report = services.import_check(actor=request.user, kind=form.cleaned_data["kind"],
                                       data=upload.read(services.MAX_BYTES + 1), file_name=upload.name or "", keep=True)
    except DomainError as error:
        if error.status == 403:
            raise
        form.add_error("file", error.detail)
        return _page(request, form, status=422)
    if not report.ok:
        return _page(request, form, report=report, status=422)
    return redirect("imports:review", batch_id=report.batch_id)


@login_required
def review(request: HttpRequest, batch_id: int) -> HttpResponse:
    """GET: the checked file, "N rows ready" and the Import button. POST: import it (checked again)."""
    batch = selectors.import_checked(actor=request.user, batch_id=batch_id)
    if request.method != "POST":
        return _page(request, ImportForm(kinds=_kinds(request)), checked=batch)
    report = services.import_checked_run(actor=request.user, batch_id=batch.pk)
    if not report.ok:
        return _page(request, ImportForm(kinds=_kinds(request)), report=report, status=422)
    messages.success(request, _("Imported %(rows)d rows of %(kind)s from %(file)s.") % {
        "rows": report.rows, "kind": batch.get_kind_display().lower(), "file": batch.file_name})
    return redirect("imports:home")


@login_required
@require_POST
def undo(request: HttpRequest) -> HttpResponse:
    require(request.user, Perm.PRACTICE_ADMIN)
    raw = request.POST.get("batch", "")
    try:
        batch = services.import_undo(actor=request.user, batch_id=int(raw) if raw.isdigit() else None)
    except DomainError as error:
        if error.status == 403:
            raise
        messages.error(request, error.detail)
    else:
        messages.success(request, _("The import of %(kind)s from %(file)s was undone.") % {
            "kind": batch.get_kind_display().lower(), "file": batch.file_name})
    return redirect("imports:home")


@login_required
@require_POST
def passwords(request: HttpRequest, batch_id: int) -> HttpResponse:
    """Once per staff import: the temporary passwords, on this answer only (never stored, never shown again)."""
    try:
        issued = services.import_passwords_issue(actor=request.user, batch_id=batch_id)
    except DomainError as error:
        if error.status in (403, 404):
            raise
        messages.error(request, error.detail)
        return redirect("imports:home")
    return render(request, "imports/passwords.html", {"issued": issued})
