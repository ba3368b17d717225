"""The `clinicdesk` command: Django's management commands under the product's name.

    clinicdesk demo --patients 1000 --weeks 4 --seed 7
    clinicdesk audit verify
    clinicdesk serve
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinicdesk.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["clinicdesk", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    main()
