"""The living style page (/styleguide) and the design system's rules: tokens only in the token block, no inline
styles anywhere, status words (never codes) in both languages, icons served by the app."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.template import Context, Template
from django.test import Client
from django.utils import translation

from clinicdesk.core import styleguide
from clinicdesk.core.permissions import Role
from clinicdesk.frontdesk.models import VisitStatus
from clinicdesk.scheduling.models import AppointmentStatus

SRC = Path(__file__).resolve().parents[2] / "src" / "clinicdesk"
APP_CSS = SRC / "static" / "clinicdesk" / "app.css"
COLOUR = re.compile(r"#[0-9a-fA-F]{3,8}\b|\b(?:rgba?|hsla?)\(")


def _token_block(css: str) -> tuple[str, str]:
    """(the :root block, everything else)."""
    start = css.index(":root {")
    end = css.index("\n}", start) + 2
    return css[start:end], css[:start] + css[end:]


def test_styleguide_vocabularies_match_the_models():
    assert [(c, str(label)) for c, label in styleguide.APPOINTMENT_STATUSES] == \
        [(c, str(label)) for c, label in AppointmentStatus.choices]
    assert [(c, str(label)) for c, label in styleguide.VISIT_STATUSES] == \
        [(c, str(label)) for c, label in VisitStatus.choices]


def test_every_status_has_a_colour_token_pair_and_a_pill_rule():
    tokens, rest = _token_block(APP_CSS.read_text())
    for code in {c for c, _ in (*styleguide.APPOINTMENT_STATUSES, *styleguide.VISIT_STATUSES)}:
        assert f"--status-{code}-bg:" in tokens and f"--status-{code}-ink:" in tokens, code
        assert f".status:where(.status-{code})" in rest, code


def test_app_css_writes_colours_only_in_the_token_block():
    tokens, rest = _token_block(APP_CSS.read_text())
    assert COLOUR.search(tokens)  # not vacuous
    assert COLOUR.findall(rest) == []


def test_screen_css_files_use_tokens_not_colours():
    offenders = [f"{path.relative_to(SRC)}:{n}" for path in SRC.glob("*/static/*/*.css")
                 for n, line in enumerate(path.read_text().splitlines(), 1) if COLOUR.search(line)]
    assert offenders == []


def test_no_template_has_an_inline_style_attribute():
    style = re.compile(r"""\sstyle\s*=\s*["']""", re.I)
    offenders = [str(path.relative_to(SRC)) for path in SRC.rglob("*.html") if style.search(path.read_text())]
    assert offenders == []


def _signed_in(signed_in, language: str) -> Client:
    return signed_in(Role.FRONT_DESK, language=language)


def test_styleguide_shows_every_status_in_words_in_english(db, signed_in):
    response = _signed_in(signed_in, "en").get("/styleguide")
    assert response.status_code == 200
    html = response.content.decode()
    for code, label in (*styleguide.APPOINTMENT_STATUSES, *styleguide.VISIT_STATUSES):
        with translation.override("en"):
            assert f'status-{code}"' in html and f">{label}</span>" in html, code


def test_styleguide_speaks_spanish_to_a_spanish_user(db, signed_in):
    response = _signed_in(signed_in, "es").get("/styleguide")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="es">' in html and "Guía de estilo" in html
    for code, label in (*styleguide.APPOINTMENT_STATUSES, *styleguide.VISIT_STATUSES):
        with translation.override("es"):
            words = str(label)
        assert f">{words}</span>" in html, (code, words)
    assert ">Checked in</span>" not in html and ">Booked</span>" not in html


def test_styleguide_shows_no_raw_status_code_as_text(db, signed_in):
    html = _signed_in(signed_in, "en").get("/styleguide").content.decode()
    text = re.sub(r"<[^>]+>", " ", re.sub(r"<(script|style)\b.*?</\1>", "", html, flags=re.S))
    for code in ("checked-in", "entered-in-error", "noshow", "with-provider", "ready-checkout", "checked-out"):
        assert re.search(rf"(?<![\w-]){re.escape(code)}(?![\w-])", text) is None, code


def test_styleguide_sends_the_anonymous_to_sign_in(db, make_user):
    make_user(Role.FRONT_DESK)  # past the first run: the practice has staff
    response = Client().get("/styleguide")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("role", [Role.PROVIDER, Role.BILLING, Role.SYSADMIN])
def test_styleguide_opens_for_any_staff_role(db, signed_in, role):
    assert signed_in(role).get("/styleguide").status_code == 200


def test_icon_tag_inlines_a_hidden_svg_from_the_npm_package():
    html = Template('{% load ui %}{% icon "calendar" %}').render(Context())
    assert html.startswith("<svg") and 'aria-hidden="true"' in html and "icon-calendar" in html
    assert "<!--" not in html


def test_icon_tag_names_an_icon_that_stands_alone():
    html = Template('{% load ui %}{% icon "x" label="Close" %}').render(Context())
    assert 'role="img"' in html and 'aria-label="Close"' in html and "aria-hidden" not in html


def test_icon_tag_refuses_a_name_that_is_not_an_icon():
    with pytest.raises(ValueError):
        Template('{% load ui %}{% icon "../secret" %}').render(Context())


def test_lucide_icons_are_inlined_from_the_npm_package_and_not_collected():
    """{% icon %} reads the SVG from node_modules (lucide-static) and inlines it; the 2,000-icon folder is not copied
    by collectstatic (14,000 files once compressed), and a path cannot climb out of the icon folder."""
    from clinicdesk.core.staticfinders import VendorAssetFinder, vendor_file

    html = Template('{% load ui %}{% icon "calendar" %}').render(Context({}))
    assert html.startswith("<svg") and 'aria-hidden="true"' in html
    collected = [path for path, _storage in VendorAssetFinder().list([])]
    assert "htmx.min.js" in collected and not any(path.endswith(".svg") for path in collected)
    assert vendor_file("lucide/calendar.svg") is not None
    assert vendor_file("lucide/../../package.json") is None


def test_location_switcher_keeps_the_other_query_parameters(rf):
    class Place:
        def __init__(self, pk, name):
            self.pk, self.name = pk, name

    request = rf.get("/frontdesk/", {"day": "2026-01-05", "location": "1"})
    places = [Place(1, "Downtown"), Place(2, "Uptown")]
    html = Template("{% load ui %}{% location_switcher %}").render(
        Context({"request": request, "location": places[0], "locations": places}))
    assert 'name="day" value="2026-01-05"' in html and 'action="/frontdesk/"' in html
    assert '<option value="2">Uptown</option>' in html and 'value="1" selected' in html
    assert Template("{% load ui %}{% location_switcher %}").render(
        Context({"request": request, "location": places[0], "locations": places[:1]})).strip() == ""
