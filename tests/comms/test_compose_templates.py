"""Compose templates (#24): versioned, merge fields from a fixed list, no clinical field in a text message."""

import pytest

from clinicdesk.audit.models import AuditEntry
from clinicdesk.comms.compose import compose_template_create, compose_template_revise
from clinicdesk.comms.content import COMPOSE_DEFAULTS
from clinicdesk.comms.models import ComposeTemplate, ComposeTemplateVersion
from clinicdesk.core.exceptions import PermissionDenied, ValidationFailed
from clinicdesk.core.permissions import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(make_user):
    return make_user(Role.PRACTICE_COORDINATOR)


def _create(actor, **changes):
    fields = {"name": "Lab results ready", "purpose": "general", "channel": "letter",
              "subject_en": "Hello {{ patient.first_name }}", "body_en": "Call {{ practice.phone }}.",
              "subject_es": "Hola {{ patient.first_name }}", "body_es": "Llame al {{ practice.phone }}.", **changes}
    return compose_template_create(actor=actor, **fields)


def test_the_shipped_wording_is_seeded_as_first_versions():
    assert ComposeTemplate.objects.filter(seed_key__in=COMPOSE_DEFAULTS).count() == len(COMPOSE_DEFAULTS)
    letter = ComposeTemplate.objects.get(seed_key="appointment-letter")
    assert letter.current.number == 1 and "{{ appointment.date }}" in letter.current.body_en
    assert "Estimado" in letter.current.body_es


def test_an_edit_adds_a_version_and_keeps_the_old_one(admin):
    template = _create(admin)
    compose_template_revise(actor=admin, template_id=template.pk, subject_en="Hi", body_en="New words.",
                            subject_es="Hola", body_es="Palabras nuevas.")
    versions = list(ComposeTemplateVersion.objects.filter(template=template).order_by("number"))
    assert [v.number for v in versions] == [1, 2]
    assert versions[0].body_en == "Call {{ practice.phone }}." and versions[1].body_en == "New words."
    assert template.current.number == 2
    assert AuditEntry.objects.filter(action="compose_template.revise").count() == 1


def test_an_unknown_merge_field_is_refused_on_save_with_its_name(admin):
    with pytest.raises(ValidationFailed) as refused:
        _create(admin, body_en="Dear {{ patient.nickname }},")
    assert "patient.nickname" in refused.value.detail
    assert not ComposeTemplate.objects.filter(name="Lab results ready").exists()


def test_a_template_tag_is_refused(admin):
    with pytest.raises(ValidationFailed) as refused:
        _create(admin, body_es="{% load static %}hola")
    assert refused.value.code == "template-tag"


def test_a_text_message_may_not_carry_a_clinical_field(admin):
    with pytest.raises(ValidationFailed) as refused:
        _create(admin, channel="sms", subject_en="", subject_es="", body_en="Your visit: {{ appointment.reason }}")
    assert refused.value.code == "clinical-in-sms" and "appointment.reason" in refused.value.detail
    assert _create(admin, channel="letter", body_en="Your visit: {{ appointment.reason }}").pk


def test_revising_an_sms_template_with_a_clinical_field_is_refused_and_writes_nothing(admin):
    template = ComposeTemplate.objects.get(seed_key="please-call-sms")
    with pytest.raises(ValidationFailed):
        compose_template_revise(actor=admin, template_id=template.pk, body_en="{{ appointment.reason }}",
                                body_es="{{ appointment.reason }}")
    assert template.versions.count() == 1


def test_only_practice_admins_edit_templates(make_user):
    with pytest.raises(PermissionDenied):
        _create(make_user(Role.FRONT_DESK))
