"""The Spanish catalogue is complete and current: fails when `makemessages -l es` would change its set of
messages, or when an entry is empty or fuzzy.

How the catalogue is made (the one way; `--update` does it):
    cd src/clinicdesk && python -m clinicdesk makemessages -l es --no-location \
        -i node_modules -i .venv -i staticfiles -i var
run from the package directory, so only the application's own code and templates are read (never tests,
scripts or node_modules), and without source locations: a location comment changes whenever a line moves,
which would make every edit anywhere a change to the catalogue and every parallel branch a merge conflict.

The check runs makemessages on a temporary copy of the catalogue (the tree is never written) and compares
the msgids (with context and plural), not the file text. Exit status 0: current and complete; 1: not.

    python scripts/check_messages.py           # check (CI: scripts/test.sh)
    python scripts/check_messages.py --update  # regenerate the catalogue in place, then report what to fill
"""

from __future__ import annotations

import argparse
import ast
import os
import shutil
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "src" / "clinicdesk"
CATALOGUE = PACKAGE / "locale" / "es" / "LC_MESSAGES" / "django.po"
IGNORE = ["node_modules", ".venv", "staticfiles", "var", "locale"]


@dataclass
class Entry:
    msgctxt: str | None = None
    msgid: str = ""
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)

    @property
    def key(self) -> tuple[str | None, str, str | None]:
        return (self.msgctxt, self.msgid, self.msgid_plural)


def parse_po(text: str) -> list[Entry]:
    """The live entries of a .po file (obsolete `#~` ones are left out), header excluded."""
    entries: list[Entry] = []
    current = Entry()
    target: tuple[str, int] | None = None
    started = False

    def finish() -> None:
        nonlocal current, started
        if started and current.msgid != "":
            entries.append(current)
        current, started = Entry(), False

    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            finish()
            target = None
            continue
        if line.startswith("#~"):
            continue
        if line.startswith("#,"):
            if started:
                finish()
            current.flags.update(flag.strip() for flag in line[2:].split(","))
            continue
        if line.startswith("#"):
            continue
        keyword, _, rest = line.partition(" ")
        if line.startswith('"'):
            value = ast.literal_eval(line)
            if target is None:
                continue
        else:
            value = ast.literal_eval(rest)
            if keyword in ("msgctxt", "msgid") and started and (keyword == "msgctxt" or current.msgid or
                                                               current.msgstr):
                finish()
            started = True
            target = ("msgstr", int(keyword[7:-1])) if keyword.startswith("msgstr[") else (keyword, 0)
            if target[0] == "msgstr":
                current.msgstr.setdefault(target[1], "")
            elif keyword == "msgctxt":
                current.msgctxt = ""
            elif keyword == "msgid_plural":
                current.msgid_plural = ""
        name, index = target
        if name == "msgstr":
            current.msgstr[index] += value
        elif name == "msgctxt":
            current.msgctxt = (current.msgctxt or "") + value
        elif name == "msgid":
            current.msgid += value
        elif name == "msgid_plural":
            current.msgid_plural = (current.msgid_plural or "") + value
    finish()
    return entries


def regenerate(tmp: Path) -> Path:
    """makemessages over a copy of the package in `tmp`, merged into a copy of the catalogue; returns the
    copy's path. (makemessages writes into any `locale` directory it finds, so it never runs on the tree.)"""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinicdesk.settings")
    import django
    from django.conf import settings
    from django.core.management import call_command

    django.setup()
    package = tmp / "clinicdesk"
    shutil.copytree(PACKAGE, package, ignore=shutil.ignore_patterns("__pycache__", "*.mo", *IGNORE[:-1]))
    settings.LOCALE_PATHS = [str(package / "locale")]
    here = Path.cwd()
    os.chdir(package)
    try:
        call_command("makemessages", locale=["es"], no_location=True, ignore_patterns=IGNORE, verbosity=0)
    finally:
        os.chdir(here)
    return package / CATALOGUE.relative_to(PACKAGE)


def problems(committed: list[Entry], generated: list[Entry]) -> list[str]:
    found: list[str] = []
    have, want = {e.key for e in committed}, {e.key for e in generated}
    for key in sorted(want - have, key=str):
        found.append(f"missing (makemessages would add it): {key[1]!r}")
    for key in sorted(have - want, key=str):
        found.append(f"stale (no longer in the code; makemessages would drop it): {key[1]!r}")
    for entry in committed:
        if "fuzzy" in entry.flags:
            found.append(f"fuzzy (a guess: translate it and remove the flag): {entry.msgid!r}")
        elif not entry.msgstr or any(not text for text in entry.msgstr.values()):
            found.append(f"empty (no translation): {entry.msgid!r}")
    seen: set[tuple[str | None, str, str | None]] = set()
    for entry in committed:
        if entry.key in seen:
            found.append(f"duplicate entry: {entry.msgid!r}")
        seen.add(entry.key)
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--update", action="store_true", help="regenerate the catalogue in place")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "src"))
    committed_text = CATALOGUE.read_text(encoding="utf-8")
    with tempfile.TemporaryDirectory() as tmp:
        copy = regenerate(Path(tmp))
        generated_text = copy.read_text(encoding="utf-8")
        if args.update:
            shutil.copyfile(copy, CATALOGUE)
            committed_text = generated_text
    found = problems(parse_po(committed_text), parse_po(generated_text))
    for line in found:
        print(line)
    if found:
        print(f"\n{len(found)} problem(s) in {CATALOGUE.relative_to(ROOT)}. Regenerate it with "
              "`python scripts/check_messages.py --update`, translate every empty or fuzzy entry by hand, "
              "then `python -m clinicdesk compilemessages`.", file=sys.stderr)
        return 1
    print(f"{CATALOGUE.relative_to(ROOT)}: {len(parse_po(committed_text))} messages, current and complete.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
