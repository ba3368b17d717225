"""The calendar grid as HTML, built in Python: a 20-provider day holds hundreds of appointments and
free-slot buttons, and the template engine costs tens of microseconds per node. Everything is escaped
here (`format_html`, `escape`); no inline style (the CSP forbids it), colours travel in data-color.
"""

from __future__ import annotations

from html import escape  # what django.utils.html.escape does, without its lazy-string wrapper (thousands of calls)
from urllib.parse import quote_plus, urlencode

from django.urls import reverse
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from .selectors import Calendar, Placed


def _hm(placed_time, tz) -> str:  # type: ignore[no-untyped-def]
    return placed_time.astimezone(tz).strftime("%H:%M")


_DAY_LABELS: dict[tuple[str, object], str] = {}


def _day_label(day) -> str:  # type: ignore[no-untyped-def]
    """'Mon 11/23' / 'lun 23/11' in the active language (cached: a day view has hundreds of slots)."""
    key = (get_language() or "", day)
    if key not in _DAY_LABELS:
        if len(_DAY_LABELS) > 2000:
            _DAY_LABELS.clear()
        _DAY_LABELS[key] = date_format(day, _("D m/d"))
    return _DAY_LABELS[key]


def render_grid(cal: Calendar, *, can_book: bool, path: str,
                badges: dict[int, list[str]] | None = None) -> SafeString:
    """`badges`: words other apps add to appointments (scheduling.hooks.appointment_badges), by id."""
    tz = cal.location.tz
    book_url = reverse("scheduling:book_dialog")
    panel_url = reverse("scheduling:appointment", args=[0])
    move_url = reverse("scheduling:move", args=[0])
    statuses: dict[str, str] = {}
    book_label = _("Book %(day)s %(time)s with %(who)s")
    # The refresher sits beside the grid, not around it: htmx attributes are inherited by descendants.
    out: list[str] = [format_html(
        '<div class="cal-refresher" hidden hx-get="{}" hx-trigger="schedule-changed from:body" hx-target="#calendar" '
        'hx-select="#calendar" hx-swap="outerHTML"></div>', path),
        format_html('<div class="cal cal-{}" id="calendar" data-move-url="{}" data-moved-text="{}" data-tz="{}" '
                    'data-top="{}" data-rows="{}" data-now-text="{}">', cal.view, move_url, _("Moved."),
                    cal.location.time_zone, cal.grid_start.hour * 60 + cal.grid_start.minute, cal.rows,
                    _("Now"))]
    out.append('<div class="cal-times" aria-hidden="true"><div class="cal-head"></div><div class="cal-body">')
    out.append(f'<div class="cal-fill r-1 s-{cal.rows}"></div>')
    out.extend(f'<div class="hour r-{row} s-12">{label}</div>' for row, label in cal.hours)
    out.append("</div></div>")
    if not cal.columns:
        out.append(format_html('<p class="empty">{}</p>', _("No provider works at this location.")))
    for col in cal.columns:
        title = _day_label(col.day) if col.day else col.title  # the week's days in the user's language
        out.append(format_html('<section class="cal-col" aria-labelledby="col-{}" data-day="{}"><h2 class="cal-head" '
                               'id="col-{}">{}', col.key, (col.day or cal.day).isoformat(), col.key, title))
        if col.note:
            out.append(format_html(' <span class="cal-note">{}</span>', col.note))
        out.append(f'</h2><div class="cal-body"><div class="cal-fill r-1 s-{cal.rows}"></div>')
        for block in col.blocks:
            if block.reserved:
                out.append(format_html(
                    '<div class="avail reserved r-{} s-{}"><span class="reserved-label">{}</span></div>',
                    block.row, block.span, _("Reserved: %(types)s") % {"types": block.reserved}))
            else:
                out.append(f'<div class="avail r-{block.row} s-{block.span}"></div>')
        if can_book and col.practitioner is not None:
            who = str(col.practitioner)
            prefix = f"{escape(book_url)}?" + escape(urlencode({"location": cal.location.pk,
                                                                "practitioner": col.practitioner.pk}))
            for slot in col.free:
                out.append(_slot(slot, who, prefix, book_label, tz))
        for placed in col.appointments:
            out.append(_appointment(placed, cal, can_book, panel_url, tz, statuses, badges))
        out.append("</div></section>")
    out.append("</div>")
    return mark_safe("".join(out))  # noqa: S308 (every value above is escaped)


def _slot(slot: Placed, who: str, prefix: str, book_label: str, tz) -> str:  # type: ignore[no-untyped-def]
    """A free slot's button; `prefix` is the escaped booking URL with the location and practitioner."""
    local = slot.start.astimezone(tz)
    label = book_label % {"day": _day_label(local.date()), "time": local.strftime("%H:%M"), "who": who}
    return (f'<button type="button" class="slot r-{slot.row} s-{slot.span}" data-start="{slot.iso}" '
            f'data-practitioner="{slot.practitioner_id}" hx-get="{prefix}&amp;start={escape(quote_plus(slot.iso))}" '
            f'hx-target="#schedule-dialog-body" aria-label="{escape(label)}"><span>{local:%H:%M}</span></button>')


def _appointment(placed: Placed, cal: Calendar, can_book: bool, panel_url: str, tz,  # type: ignore[no-untyped-def]
                 statuses: dict[str, str], badges: dict[int, list[str]] | None = None) -> str:
    a = placed.appointment
    assert a is not None
    status = statuses.get(a.status)
    if status is None:
        status = statuses[a.status] = str(a.get_status_display())
    what = [a.appointment_type.local_name, status]
    if cal.view == "rooms":
        what.append(a.practitioner.last_name)
    elif a.room is not None:
        what.append(a.room.name)
    if a.overbooked:
        what.append(_("overbooked"))
    classes = f"appt r-{placed.row} s-{placed.span} status-{a.status}" + (" overbooked" if a.overbooked else "")
    drag = ' draggable="true" aria-keyshortcuts="Alt+ArrowUp Alt+ArrowDown"' if can_book else ""
    return (f'<button type="button" class="{escape(classes)}" data-color="{escape(a.appointment_type.color)}" '
            f'data-appointment="{a.pk}" data-start="{placed.iso}" data-practitioner="{a.practitioner_id}"{drag} '
            f'hx-get="{panel_url.replace("/0/", f"/{a.pk}/")}" hx-target="#schedule-dialog-body">'
            f'<span class="appt-who">{escape(a.patient.display_name)}{_alert_icons(cal.alerts.get(a.patient_id))}'
            f'</span><span class="appt-time">{_hm(a.start, tz)}\u2013{_hm(a.end, tz)}'
            f'{_badges(badges.get(a.pk) if badges else None)}</span>'
            f'<span class="appt-what">{escape(" · ".join(what))}</span></button>')


def _badges(words: list[str] | None) -> str:
    """Words other apps add (the no-show risk band), on the time line (shorter than the name's, so the compact grid
    shows them too); the whole words also as the badge's tooltip where a narrow column cuts them."""
    return "".join(f' <span class="appt-badge" title="{escape(w)}">{escape(w)}</span>' for w in words) if words else ""


def _alert_icons(alerts) -> str:  # type: ignore[no-untyped-def]
    """The patient's alerts (#15) as small icons, each with its label for screen readers and on hover."""
    if not alerts:
        return ""
    return " " + "".join(f'<span class="alert-chip compact alert-{escape(a.kind.severity)}" title="{escape(a.label)}">'
                         f'<span class="alert-icon" aria-hidden="true">!</span>'
                         f'<span class="visually-hidden">{escape(a.label)}</span></span>' for a in alerts)
