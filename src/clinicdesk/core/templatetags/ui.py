"""Template tags of the design system (templates/components/). `{% load ui %}`.

- `{% icon "calendar" %}`: a Lucide icon (npm package lucide-static, served by us, never a CDN) as inline SVG,
  `aria-hidden="true"`: decoration next to words. `{% icon "x" label=_("Close") %}` makes it an image with a name
  (for an icon-only control). `class_="..."` adds classes. Each file is read once per process.
- `{{ item.key|menu_icon }}`: the icon name of a main-menu screen (core/menu.py keys).
- `{% query_with location=loc.pk %}`: the current query string with one parameter changed (`?a=1&location=2`).
- `{% location_switcher %}`: the location switcher for pages whose context has `location` and `locations` (more
  than one); it keeps the current path and query and changes `?location=`.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from clinicdesk.core.staticfinders import vendor_file

register = template.Library()

_NAME = re.compile(r"^[a-z0-9-]{1,60}$")

MENU_ICONS = {
    "home": "house", "patients": "users", "schedule": "calendar-days", "frontdesk": "clipboard-check",
    "board": "layout-dashboard", "inbox": "inbox", "portal": "mail", "drawer": "wallet", "audit": "scroll-text",
    "setup": "list-checks", "locations": "map-pin", "users": "user-cog", "reports": "chart-column",
    "practice": "building-2", "comms": "mail", "insurance": "shield-check", "supplies": "package",
    "swaps": "arrow-left-right", "training": "graduation-cap", "timeclock": "clock",
    "roster": "calendar-clock", "noshow": "phone-call", "compliance": "shield-alert", "dashboards": "chart-line",
    "payers": "landmark", "payments": "chart-pie",
    "readiness": "clipboard-list", "transfers": "ambulance",
    "authorizations": "file-check", "coding": "file-pen", "claims": "file-stack", "correspondence": "mails",
    "denials": "file-x", "statements": "receipt-text", "disputes": "message-square-warning",
    "refunds": "hand-coins",
    "workshops": "presentation", "intake": "clipboard-pen", "forecast": "trending-up",
}


@lru_cache(maxsize=512)
def _svg(name: str) -> str:
    if not _NAME.match(name):
        raise ValueError(f"not an icon name: {name!r}")
    path = vendor_file(f"lucide/{name}.svg")
    if path is None:
        raise ValueError(f"no such icon: {name!r} (lucide-static; run 'make assets')")
    text = re.sub(r"<!--.*?-->", "", path.read_text(encoding="utf-8"), flags=re.S)
    text = re.sub(r"\s+", " ", text).strip()
    text = re.sub(r'\s(width|height)="24"', "", text)
    return re.sub(r'class="lucide [^"]*"', f'class="icon icon-{name}{{extra}}"', text, count=1)


@register.simple_tag
def icon(name: str, label: str = "", class_: str = "") -> SafeString:
    svg = _svg(str(name)).replace("{extra}", f" {class_}" if class_ and re.match(r"^[\w -]+$", class_) else "")
    if label:
        attrs = format_html(' role="img" aria-label="{}" focusable="false"', label)
    else:
        attrs = mark_safe(' aria-hidden="true" focusable="false"')
    return mark_safe(svg.replace("<svg", "<svg" + attrs, 1))  # noqa: S308 - our own installed files


@register.filter
def menu_icon(key: str) -> str:
    return MENU_ICONS.get(str(key), "circle")


@register.simple_tag(takes_context=True)
def query_with(context: dict[str, Any], **changes: Any) -> str:
    request = context.get("request")
    query = request.GET.copy() if request is not None else None
    if query is None:
        from django.http import QueryDict

        query = QueryDict(mutable=True)
    for key, value in changes.items():
        query[key] = str(value)
    return "?" + query.urlencode()


@register.inclusion_tag("components/location_switcher.html", takes_context=True)
def location_switcher(context: Any) -> dict[str, Any]:
    request = context.get("request")
    locations = list(context.get("locations") or [])
    current = context.get("location")
    keep = []
    if request is not None:
        keep = [(k, v) for k, values in request.GET.lists() if k != "location" for v in values]
    usable = current is not None and all(hasattr(loc, "pk") for loc in locations) and len(locations) > 1
    return {"locations": locations if usable else [], "current": current,
            "path": request.path if request is not None else "", "keep": keep}


# --- wrapping components: {% card %}...{% endcard %}, {% dialog %}...{% enddialog %}, {% toolbar %}...{% endtoolbar %}

class _WrapNode(template.Node):
    def __init__(self, template_name: str, nodelist: template.NodeList, kwargs: dict[str, Any]) -> None:
        self.template_name = template_name
        self.nodelist = nodelist
        self.kwargs = kwargs

    def render(self, context: Any) -> str:
        values = {key: value.resolve(context) for key, value in self.kwargs.items()}
        values["content"] = mark_safe(self.nodelist.render(context))  # noqa: S308 - rendered by the template engine
        partial = context.template.engine.get_template(self.template_name)
        return str(partial.render(context.new(values)))  # only its arguments: no page variable leaks in


def _wrapping(name: str, template_name: str) -> None:
    def compile_tag(parser: Any, token: Any) -> _WrapNode:
        bits = token.split_contents()[1:]
        kwargs = template.base.token_kwargs(bits, parser)
        if bits:
            raise template.TemplateSyntaxError(f"{{% {name} %}} takes only name=value arguments")
        nodelist = parser.parse((f"end{name}",))
        parser.delete_first_token()
        return _WrapNode(template_name, nodelist, kwargs)

    register.tag(name, compile_tag)


_wrapping("card", "components/card.html")
_wrapping("dialog", "components/dialog.html")
_wrapping("toolbar", "components/toolbar.html")


@register.filter
def language_name(code: str) -> str:
    """A language code ("en", "es", "vi") as its name in the reader's language ("English", "inglés"); an unknown
    code as it is."""
    from django.utils.translation import get_language_info

    try:
        return str(get_language_info(str(code or "")).get("name_translated") or code)
    except KeyError:
        return str(code or "")
