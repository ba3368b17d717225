"""`{% load desk_time %}`: how long, in words, for the front desk's timers.

- `{% elapsed since %}` renders `<time class="timer" datetime="PT12M" data-since="…">12 min</time>`: a duration
  ("12 min", "1 h 05 min"), never a clock-like "12:34". frontdesk.js keeps it current every few seconds with the
  same words (the formats travel in data attributes, translated here).
- `{% elapsed since target=15 %}` also marks a wait over the practice's target: the `late` class and the words
  "over the N min target" (colour is never the only sign).
- `{{ minutes|duration }}`: "12 min" / "1 h 05 min" for a number of minutes.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from clinicdesk.core import clock

register = template.Library()


def duration_words(minutes: int) -> str:
    """12 → '12 min'; 65 → '1 h 05 min' (in the active language)."""
    minutes = max(0, int(minutes))
    if minutes < 60:
        return _("%(m)s min") % {"m": minutes}
    return _("%(h)s h %(m)s min") % {"h": minutes // 60, "m": f"{minutes % 60:02d}"}


def iso_duration(minutes: int) -> str:
    """12 → 'PT12M'; 65 → 'PT1H5M' (the machine-readable form of a <time> element)."""
    minutes = max(0, int(minutes))
    hours, rest = divmod(minutes, 60)
    return f"PT{hours}H{rest}M" if hours else f"PT{rest}M"


@register.filter(name="duration")
def duration(minutes: Any) -> str:
    if minutes is None or minutes == "":
        return ""
    return duration_words(int(minutes))


@register.simple_tag
def elapsed(since: dt.datetime | None, target: int | None = None) -> SafeString:
    if since is None:
        return format_html("")
    minutes = max(0, int((clock.now() - since).total_seconds() // 60))
    late = target is not None and minutes >= int(target)
    note = _("over the %(m)s min target") % {"m": target} if target is not None else ""
    return format_html(
        '<time class="timer{}" datetime="{}" data-since="{}"{}data-fmt-min="{}" data-fmt-hour="{}">{}</time>'
        '{}',
        " late" if late else "", iso_duration(minutes), since.isoformat(),
        format_html(' data-warn-minutes="{}" ', int(target)) if target is not None else " ",
        _("%(m)s min"), _("%(h)s h %(m)s min"), duration_words(minutes),
        format_html(' <span class="late-note"{}>{}</span>', "" if late else " hidden", note) if note else "")


@register.simple_tag
def waited(since: dt.datetime | None) -> SafeString:
    """`{% waited visit.arrived_at %}`: a patient's wait, marked late past the practice's target."""
    from clinicdesk.frontdesk.selectors import wait_target_minutes

    return elapsed(since, wait_target_minutes())
