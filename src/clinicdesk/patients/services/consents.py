"""Consents and practice forms: versioned templates in English and Spanish, and signatures."""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
import uuid

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db.models import Max
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from clinicdesk.audit.services import atomic_service, record
from clinicdesk.core import clock, request_context
from clinicdesk.core.l10n import in_language, moment_text
from clinicdesk.core.permissions import Actor, Perm, require, staff_user

from ..models import FormTemplate, SignedForm
from ..pdf import SignedFormContent, render_signed_form
from ..validation import Errors, check_name
from .registration import lock_patient

MAX_SIGNATURE_BYTES = 300 * 1024
_DATA_URL_PREFIX = "data:image/png;base64,"


def _drawn_png(errors: Errors, data_url: str) -> bytes:
    if not data_url.startswith(_DATA_URL_PREFIX):
        errors.add("drawn_signature", _("Draw the signature in the box."))
        return b""
    try:
        data = base64.b64decode(data_url[len(_DATA_URL_PREFIX):], validate=True)
    except (binascii.Error, ValueError):
        errors.add("drawn_signature", _("The drawn signature could not be read; draw it again."))
        return b""
    if len(data) > MAX_SIGNATURE_BYTES or not data.startswith(b"\x89PNG\r\n\x1a\n"):
        errors.add("drawn_signature", _("The drawn signature could not be read; draw it again."))
        return b""
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            ink = image.convert("RGBA").getchannel("A").getbbox()
    except (UnidentifiedImageError, OSError, ValueError):
        errors.add("drawn_signature", _("The drawn signature could not be read; draw it again."))
        return b""
    if ink is None:
        errors.add("drawn_signature", _("The signature box is empty; draw the signature."))
        return b""
    return data


@atomic_service
def form_sign(*, actor: Actor, patient_id: int, template_id: int, signer_kind: str, signer_name: str,
              signature_kind: str, signer_relationship: str = "", typed_signature: str = "",
              drawn_signature: str = "") -> SignedForm:
    """Sign one version of a form for a patient; writes the signed PDF and the read-only record."""
    patient = lock_patient(patient_id, actor=actor)
    template = FormTemplate.objects.filter(pk=template_id, active=True).first() if str(template_id).isdigit() \
        else None
    errors = Errors()
    if template is None:
        errors.add("template", _("Choose a form."))
    if signer_kind not in SignedForm.SignerKind.values:
        errors.add("signer_kind", _("Say who signs: the patient or a representative."))
    name = check_name(errors, "signer_name", signer_name, _("Signer's name"), required=True)
    relationship = " ".join((signer_relationship or "").split())[:60]
    if signer_kind == SignedForm.SignerKind.REPRESENTATIVE and not relationship:
        errors.add("signer_relationship", _("Give the representative's relationship to the patient."))
    typed, drawn = "", b""
    if signature_kind == SignedForm.SignatureKind.TYPED:
        typed = " ".join((typed_signature or "").split())[:160]
        if not typed:
            errors.add("typed_signature", _("Type the signature."))
    elif signature_kind == SignedForm.SignatureKind.DRAWN:
        drawn = _drawn_png(errors, drawn_signature or "")
    else:
        errors.add("signature_kind", _("Choose a typed or drawn signature."))
    errors.raise_if_any("invalid-signature")
    assert template is not None
    info = request_context.current()
    now = clock.now()
    with in_language(template.language):  # the copy reads in the form's language (patients/pdf.py)
        signer_role = str(SignedForm.SignerKind(signer_kind).label) + (f", {relationship}" if relationship else "")
        signed_at_text = f"{moment_text(now, patient.home_location.tz, zone_name=True)} ({now:%Y-%m-%dT%H:%M:%SZ})"
    pdf = render_signed_form(SignedFormContent(
        title=template.title, version=template.version, language=template.language, body=template.body,
        patient_name=patient.display_name, mrn=patient.mrn, birth_date=patient.birth_date, signer_name=name,
        signer_role=signer_role, signed_at_text=signed_at_text, client_ip=info.ip,
        typed_signature=typed, drawn_png=drawn))
    storage_name = default_storage.save(f"patients/{patient.pk}/forms/{uuid.uuid4().hex}.pdf", ContentFile(pdf))
    try:
        signed = SignedForm.objects.create(
            patient=patient, template=template, signer_kind=signer_kind, signer_name=name,
            signer_relationship=relationship, signature_kind=signature_kind, typed_signature=typed,
            signed_at=now, client_ip=info.ip, user_agent=info.user_agent[:300],
            recorded_by=staff_user(actor), pdf=storage_name,
            pdf_sha256=hashlib.sha256(pdf).hexdigest())
    except Exception:
        default_storage.delete(storage_name)
        raise
    record(actor, "form.sign", signed, patient=patient,
           detail={"form": template.code, "version": template.version, "language": template.language,
                   "signature": signature_kind})
    return signed


@atomic_service
def form_template_publish(*, actor: Actor, code: str, required: bool,
                          texts: dict[str, tuple[str, str]]) -> list[FormTemplate]:
    """Publish a new version of a form in each language given ({"en": (title, body), "es": ...}).
    Earlier versions stay (signatures point at them) but are no longer offered."""
    require(actor, Perm.PRACTICE_ADMIN)
    errors = Errors()
    code = (code or "").strip().lower()
    if not code or not code.replace("-", "").isalnum() or not code.isascii() or len(code) > 40:
        errors.add("code", _("Give the form a short code of letters, digits and hyphens."))
    if "en" not in texts:
        errors.add("texts", _("Every form needs an English text."))
    for language, (title, body) in texts.items():
        if language not in ("en", "es"):
            errors.add("texts", _("Forms are offered in English and Spanish."))
        if not title.strip() or not body.strip():
            errors.add(f"body_{language}", _("Title and text are required."))
        elif len(title.strip()) > 160:
            errors.add(f"title_{language}", _("A title has at most 160 characters."))
    errors.raise_if_any("invalid-form")
    version = (FormTemplate.objects.filter(code=code).aggregate(v=Max("version"))["v"] or 0) + 1
    FormTemplate.objects.filter(code=code, active=True).update(active=False)
    now = clock.now()
    created = [FormTemplate.objects.create(code=code, title=title.strip(), version=version, language=language,
                                           body=body.strip(), required=required, active=True, published_at=now)
               for language, (title, body) in texts.items()]
    record(actor, "form.publish", created[0], detail={"code": code, "version": version})
    return created

