"""Consent and intake form templates beyond publishing (`consents.form_template_publish`): deactivating a form.

A form is every row of one `code`; its current version is the highest one, in each language published. A
deactivated form is no longer offered for signing and no longer outstanding on any chart; signatures keep the
version they point at. Publishing a new version makes the form active again."""

from __future__ import annotations

from django.utils.translation import gettext as _

from clinicdesk.audit.services import atomic_service, record
from clinicdesk.core.exceptions import NotFound
from clinicdesk.core.permissions import Actor, Perm, require

from ..models import FormTemplate


def history_anchor(rows: list[FormTemplate]) -> FormTemplate:
    """The row of a version that its audit entries name: the one `form_template_publish` recorded (its first
    language, English), so that publishing and deactivating one version read as one history."""
    return min(rows, key=lambda row: (row.language != "en", row.pk))


@atomic_service
def form_template_deactivate(*, actor: Actor, code: str) -> list[FormTemplate]:
    """Stop offering a form: its current version (every language) is no longer signed nor outstanding."""
    require(actor, Perm.PRACTICE_ADMIN)
    rows = list(FormTemplate.objects.select_for_update().filter(code=str(code or "")[:40], active=True)
                .order_by("pk"))
    if not rows:
        raise NotFound("form-not-found", _("No active form with that code."))
    FormTemplate.objects.filter(pk__in=[row.pk for row in rows]).update(active=False)
    for row in rows:
        row.active = False
    anchor = history_anchor(rows)
    record(actor, "form.deactivate", anchor,
           detail={"code": anchor.code, "version": anchor.version, "changes": {"active": [True, False]}})
    return rows
