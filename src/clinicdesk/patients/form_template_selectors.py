"""Reads of the form-template configuration screens and API (no patient data: counts of signatures only).

Only practice administrators read them: `core.permissions` has no read-only configuration permission, and the
compliance officer already sees what each patient signed (the signed PDF on the chart) and who published or
withdrew which version (the audit trail)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count
from django.utils import translation

from clinicdesk.core.exceptions import NotFound
from clinicdesk.core.permissions import Actor, Perm, require

from .models import FormTemplate, SignedForm
from .services.form_templates import history_anchor


@dataclass
class FormVersion:
    """One version of a form: its rows, one per language."""

    code: str
    version: int
    rows: list[FormTemplate]
    signed: int = 0  # patients who signed this version (in any language)

    @property
    def anchor(self) -> FormTemplate:
        return history_anchor(self.rows)

    @property
    def title(self) -> str:
        language = (translation.get_language() or "en")[:2]
        row = next((r for r in self.rows if r.language == language), self.anchor)
        return row.title

    @property
    def required(self) -> bool:
        return any(r.required for r in self.rows)

    @property
    def active(self) -> bool:
        return any(r.active for r in self.rows)

    @property
    def published_at(self) -> Any:
        return max((r.published_at for r in self.rows if r.published_at), default=None)

    @property
    def languages(self) -> list[str]:
        return [r.language for r in sorted(self.rows, key=lambda r: (r.language != "en", r.language))]

    def text(self, language: str) -> FormTemplate | None:
        return next((r for r in self.rows if r.language == language), None)


@dataclass
class FormSummary:
    code: str
    versions: list[FormVersion] = field(default_factory=list)  # newest first

    @property
    def current(self) -> FormVersion:
        return self.versions[0]

    @property
    def active(self) -> bool:
        return self.current.active


def _versions(rows: list[FormTemplate], signed: dict[tuple[str, int], int]) -> dict[str, FormSummary]:
    grouped: dict[tuple[str, int], list[FormTemplate]] = defaultdict(list)
    for row in rows:
        grouped[(row.code, row.version)].append(row)
    forms: dict[str, FormSummary] = {}
    for (code, version), version_rows in sorted(grouped.items(), key=lambda item: (item[0][0], -item[0][1])):
        forms.setdefault(code, FormSummary(code)).versions.append(
            FormVersion(code, version, version_rows, signed.get((code, version), 0)))
    return forms


def _signed_counts(**filters: Any) -> dict[tuple[str, int], int]:
    counts = (SignedForm.objects.filter(**filters).values("template__code", "template__version")
              .annotate(n=Count("patient_id", distinct=True)))
    return {(c["template__code"], c["template__version"]): c["n"] for c in counts}


def form_templates_summary(*, actor: Actor, include_inactive: bool = False) -> list[FormSummary]:
    """Every form by code with its versions and how many patients signed each; inactive forms when asked."""
    require(actor, Perm.PRACTICE_ADMIN)
    forms = _versions(list(FormTemplate.objects.order_by("code", "-version", "language")), _signed_counts())
    return [f for f in forms.values() if include_inactive or f.active]


def form_template_versions(*, actor: Actor, code: str) -> FormSummary:
    """One form with every version, newest first. NotFound for an unknown code."""
    require(actor, Perm.PRACTICE_ADMIN)
    rows = list(FormTemplate.objects.filter(code=str(code)[:40]).order_by("-version", "language"))
    if not rows:
        raise NotFound()
    return _versions(rows, _signed_counts(template__code=code))[rows[0].code]


def form_templates_list(*, actor: Actor, include_inactive: bool = False) -> list[FormTemplate]:
    """The rows themselves (one per version and language) for the API: the current ones, or every version."""
    require(actor, Perm.PRACTICE_ADMIN)
    rows = FormTemplate.objects.order_by("code", "-version", "language")
    return list(rows if include_inactive else rows.filter(active=True))


def form_template_detail(*, actor: Actor, template_id: int) -> FormTemplate:
    require(actor, Perm.PRACTICE_ADMIN)
    row = FormTemplate.objects.filter(pk=template_id).first()
    if row is None:
        raise NotFound()
    return row
