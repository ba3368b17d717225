"""The design system is the only place screens get their look: a `grep` over the sources.

- no inline `style=` attribute and no `<style>` element in any template (Django templates and component partials);
- no colour literal (#hex, rgb(), rgba(), hsl(), hsla()) in any .css file under src, except inside app.css's token
  block (`:root { ... }`, the one place colours are written); screens' own files (calendar.css, patients.css,
  frontdesk.css) use the tokens.
"""

from __future__ import annotations

import re
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src"
APP_CSS = SRC / "clinicdesk" / "static" / "clinicdesk" / "app.css"
COLOUR = re.compile(r"#[0-9a-fA-F]{3,8}(?![\w-])|\b(?:rgba?|hsla?)\s*\(", re.I)
INLINE_STYLE = re.compile(r"""<[a-zA-Z][^>]*\sstyle\s*=""", re.S)
STYLE_ELEMENT = re.compile(r"<style[\s>]", re.I)


def _templates() -> list[Path]:
    return sorted(path for path in SRC.rglob("*.html") if "templates" in path.parts)


def _css_files() -> list[Path]:
    return sorted(path for path in SRC.rglob("*.css") if "node_modules" not in path.parts)


def _without_token_block(path: Path, css: str) -> str:
    """app.css without its `:root { ... }` token block (blanked, so line numbers stay); other files whole."""
    if path != APP_CSS:
        return css
    start = css.index(":root {")
    end = css.index("\n}", start) + 2
    return css[:start] + re.sub(r"[^\n]", " ", css[start:end]) + css[end:]


def _offending_lines(text: str, pattern: re.Pattern[str]) -> list[int]:
    return [text.count("\n", 0, match.start()) + 1 for match in pattern.finditer(text)]


def test_the_sources_hold_templates_and_css_files():  # not vacuous
    assert len(_templates()) > 50
    assert APP_CSS in _css_files() and len(_css_files()) >= 4


def test_no_template_has_an_inline_style_attribute():
    offenders = [f"{path.relative_to(SRC)}:{line}" for path in _templates()
                 for line in _offending_lines(path.read_text(), INLINE_STYLE)]
    assert offenders == [], "use the design system's classes (app.css) instead of style=..."


def test_no_template_has_a_style_element():
    offenders = [f"{path.relative_to(SRC)}:{line}" for path in _templates()
                 for line in _offending_lines(path.read_text(), STYLE_ELEMENT)]
    assert offenders == [], "put rules in a .css file under static/, colours as tokens"


def test_colours_are_written_only_in_the_token_block():
    offenders = [f"{path.relative_to(SRC)}:{line}" for path in _css_files()
                 for line in _offending_lines(_without_token_block(path, path.read_text()), COLOUR)]
    assert offenders == [], "write the colour as a token in app.css's :root block and use var(--...)"


def test_the_token_block_holds_the_colours():
    css = APP_CSS.read_text()
    start = css.index(":root {")
    assert len(COLOUR.findall(css[start:css.index("\n}", start)])) > 20


def test_the_checks_catch_what_they_look_for():
    assert _offending_lines('<p class="x"\n style="color: red">', INLINE_STYLE) == [1]
    assert _offending_lines("<div>\n<style>p{}</style>", STYLE_ELEMENT) == [2]
    assert _offending_lines("a {}\nb { color: #fff; }\nc { background: rgba(0,0,0,.1) }", COLOUR) == [2, 3]
    assert _offending_lines("#feed-result { }\n#main {}", COLOUR) == []  # an id selector is not a colour
