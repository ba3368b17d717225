"""ICD-10-CM checks and search, procedure code shapes (#19 item 1)."""

from __future__ import annotations

import subprocess
import sys

from clinicdesk.billing import codesets


def test_icd_billable_leaf_is_accepted_with_or_without_dot():
    assert codesets.icd_is_billable("E11.9") and codesets.icd_is_billable("e119")


def test_icd_category_with_subcodes_is_not_billable():
    assert codesets.icd_is_valid("E11") and not codesets.icd_is_billable("E11")


def test_icd_unknown_code_is_neither_valid_nor_billable():
    assert not codesets.icd_is_valid("Q99.99X") and not codesets.icd_is_billable("ZZZ")


def test_icd_describe_gives_the_words():
    assert codesets.icd_describe("I10") == "Essential (primary) hypertension"


def test_icd_search_by_code_prefix_returns_billable_codes_only():
    found = [c.dotted for c in codesets.icd_search("e11.6")]
    assert found and all(code.startswith("E11.6") for code in found) and "E11.6" not in found


def test_icd_search_by_word_prefixes():
    found = {c.code for c in codesets.icd_search("diab type 2 kidney")}
    assert "E1122" in found


def test_icd_search_of_nothing_finds_nothing():
    assert codesets.icd_search("  ") == [] and codesets.icd_search("qqqqzz") == []


def test_procedure_code_shapes():
    assert codesets.procedure_code_kind("99213") == "cpt"
    assert codesets.procedure_code_kind("0001F") == "cpt"
    assert codesets.procedure_code_kind("g0438") == "hcpcs"
    assert codesets.procedure_code_kind("W1234") == "" and codesets.procedure_code_kind("9921") == ""


def test_the_code_set_package_is_not_imported_by_the_url_conf():
    """Loading the code set takes a second: only a code check or search may pay it."""
    script = ("import django, os, sys; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'clinicdesk.settings');"
              "django.setup(); import clinicdesk.urls; print('simple_icd_10_cm' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "False"
