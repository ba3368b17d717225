"""Audit the locked dependencies (requirements/base.txt and dev.txt) for known vulnerabilities.

Runs pip-audit on the pinned files as they are (--no-deps: the files are complete; --disable-pip: nothing
is installed or resolved), asking PyPI's JSON API first and OSV second. An answer counts only when the
service audited every pin: a mirror or proxy that does not know a version makes pip-audit skip it and
still report "No known vulnerabilities found", which must not pass for a clean audit.

Exit status: 0 every pin audited, none vulnerable; 1 a pin has a known vulnerability (bump it);
2 no advisory service could audit every pin (unreachable or incomplete), so the result is unknown.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FILES = ["requirements/base.txt", "requirements/dev.txt"]
SERVICES = ["pypi", "osv"]
TIMEOUT = 600


def audit(service: str) -> tuple[dict | None, str]:
    """pip-audit's JSON report from one service, or None and the reason it gave none."""
    with tempfile.TemporaryDirectory() as work:
        output = Path(work) / "report.json"
        command = [str(ROOT / ".venv/bin/pip-audit"), *(arg for name in FILES for arg in ("-r", name)),
                   "--no-deps", "--disable-pip", "--vulnerability-service", service, "--progress-spinner", "off",
                   "--format", "json", "--output", str(output)]
        try:
            result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=TIMEOUT, check=False)
        except subprocess.TimeoutExpired:
            return None, f"no answer within {TIMEOUT} s"
        if output.exists():
            try:
                return json.loads(output.read_text()), ""
            except ValueError:
                pass
        lines = [line for line in result.stderr.splitlines() if line.strip() and not line.startswith("WARNING")]
        return None, (lines[-1] if lines else f"pip-audit exited with {result.returncode}")[:300]


def classify(report: dict) -> tuple[list[dict], list[dict]]:
    """(pins with known vulnerabilities, pins the service could not audit)."""
    dependencies = report.get("dependencies", [])
    return ([dep for dep in dependencies if dep.get("vulns")],
            [dep for dep in dependencies if dep.get("skip_reason")])


def main() -> int:
    reasons = []
    for service in SERVICES:
        report, reason = audit(service)
        if report is None:
            reasons.append(f"{service}: {reason}")
            continue
        vulnerable, unaudited = classify(report)
        if vulnerable:
            print(f"pip-audit ({service}): {len(vulnerable)} pinned packages have known vulnerabilities:")
            for dep in vulnerable:
                for vuln in dep["vulns"]:
                    fixed = ", ".join(vuln.get("fix_versions") or []) or "no fixed release yet"
                    print(f"  {dep['name']}=={dep.get('version')}  {vuln.get('id')}  fixed in: {fixed}")
            print("Bump those pins in requirements/*.in or *.txt and recompile (see requirements/base.txt's header).")
            return 1
        total = len(report.get("dependencies", []))
        if not unaudited:
            print(f"pip-audit ({service}): {total} pinned packages audited, no known vulnerabilities.")
            return 0
        reasons.append(f"{service}: {len(unaudited)} of {total} pins could not be audited "
                       f"(e.g. {unaudited[0]['skip_reason']})")
    print("pip-audit could not audit every pinned package:")
    for reason in reasons:
        print(f"  {reason}")
    return 2


if __name__ == "__main__":
    sys.exit(main())
