from __future__ import annotations

import csv

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from clinicdesk.core.exceptions import validation_failed_from
from clinicdesk.core.l10n import language_for, moment_text, streamed_in

from .forms import AuditFilterForm
from .labels import action_words, outcome_words, role_words
from .selectors import AuditFilter, audit_entries_export, audit_trail_page
from .services import seal_quietly

CSV_COLUMNS = ("position", "at", "actor_username", "actor_role", "action", "outcome", "resource_type",
               "resource_id", "patient_id", "ip", "user_agent", "channel", "entry_hash")
# The codes stay (they are what the chain hashes, and what other tools read); these columns say them in words,
# and the time in the user's format and time zone, in the user's language.
WORD_COLUMNS = ("action_words", "outcome_words", "role_words", "at_words")


@login_required
@require_http_methods(["GET", "POST"])
def entries(request: HttpRequest) -> HttpResponse:
    """Filters come by POST so patient ids stay out of URLs and server logs."""
    form = AuditFilterForm(request.POST or None)
    seal_quietly()  # the list shows every committed entry in its place in the chain (ADR 0007)
    page = None
    if request.method == "GET":
        page = audit_trail_page(actor=request.user, criteria=AuditFilter())
    elif form.is_valid():
        page = audit_trail_page(actor=request.user, criteria=form.criteria())
    return render(request, "audit/entries.html", {"form": form, "page": page},
                  status=422 if form.errors else 200)


class _Echo:
    def write(self, value: str) -> str:
        return value


@login_required
@require_POST
def export(request: HttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.POST)
    if not form.is_valid():
        raise validation_failed_from(ValidationError(form.errors.as_data()))
    seal_quietly()
    entries = audit_entries_export(actor=request.user, criteria=form.criteria())
    writer = csv.writer(_Echo())
    zone = timezone.get_current_timezone()  # the screen's zone, taken now: the rows are made after the view returns

    def lines():  # type: ignore[no-untyped-def]
        yield writer.writerow([*CSV_COLUMNS, *WORD_COLUMNS])
        for entry in entries.iterator(chunk_size=2000):
            words = [action_words(entry.action), outcome_words(entry.outcome), role_words(entry.actor_role),
                     moment_text(entry.at, zone, zone_name=True)]
            yield writer.writerow([_cell(getattr(entry, c)) for c in CSV_COLUMNS] + [_cell(w) for w in words])

    # Rows are made after this view returns: keep the user's language for their words (core/l10n.py).
    response = StreamingHttpResponse(streamed_in(lines(), language_for(request.user)), content_type="text/csv")
    response["Content-Disposition"] = 'attachment; filename="audit-trail.csv"'
    return response


def _cell(value: object) -> str:
    text = value.isoformat() if hasattr(value, "isoformat") else ("" if value is None else str(value))
    # Neutralise spreadsheet formulas in exported cells.
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text
