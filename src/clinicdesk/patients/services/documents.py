"""Patient documents: the bytes decide what a file is, never its name; stored outside the web root."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import uuid
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from clinicdesk.audit.services import atomic_service, record
from clinicdesk.core import clock
from clinicdesk.core.exceptions import ValidationFailed
from clinicdesk.core.permissions import Actor, staff_user

from ..models import Document, Patient
from ..validation import Errors, check_date
from .registration import lock_patient

MAX_DOCUMENT_BYTES = getattr(settings, "CLINICDESK_MAX_DOCUMENT_BYTES", 10 * 1024 * 1024)
PDF, JPEG, PNG = "application/pdf", "image/jpeg", "image/png"


def sniff(data: bytes) -> str | None:
    """The content type from the first bytes (magic numbers), or None for anything else."""
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    return None


def _looks_whole(data: bytes, content_type: str) -> bool:
    if content_type == PDF:
        return b"%%EOF" in data[-2048:]
    try:
        with Image.open(io.BytesIO(data)) as image:
            # A header claiming a huge picture (a decompression bomb) is refused, never decoded: Pillow raises
            # past twice its limit and only warns past the limit itself, so the size is checked here too.
            if Image.MAX_IMAGE_PIXELS and image.width * image.height > Image.MAX_IMAGE_PIXELS:
                return False
            image.verify()
            return (image.format or "").lower() in ("jpeg", "png")
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        return False


def read_upload(upload: Any, field: str = "file") -> tuple[bytes, str]:
    """Read an uploaded file, refusing oversized, unknown and disguised files with the field's name."""
    if upload is None:
        raise ValidationFailed("file-required", _("Choose a file."), fields={field: [_("Choose a file.")]})
    size = getattr(upload, "size", None)
    if size is not None and size > MAX_DOCUMENT_BYTES:
        message = _("The file is too large (%(mb)s MB at most).") % {"mb": MAX_DOCUMENT_BYTES // (1024 * 1024)}
        raise ValidationFailed("file-too-large", message, fields={field: [message]})
    data = upload.read(MAX_DOCUMENT_BYTES + 1) if hasattr(upload, "read") else bytes(upload)
    if len(data) > MAX_DOCUMENT_BYTES:
        message = _("The file is too large (%(mb)s MB at most).") % {"mb": MAX_DOCUMENT_BYTES // (1024 * 1024)}
        raise ValidationFailed("file-too-large", message, fields={field: [message]})
    if not data:
        raise ValidationFailed("file-empty", _("The file is empty."), fields={field: [_("The file is empty.")]})
    content_type = sniff(data)
    if content_type is None or not _looks_whole(data, content_type):
        message = _("Only PDF, JPEG and PNG files are accepted, and this file is not one (whatever its name says).")
        raise ValidationFailed("file-type", message, fields={field: [message]})
    return data, content_type


def store_document(*, actor: Actor, patient: Patient, kind: str, data: bytes, content_type: str,
                   document_date: dt.date, description: str = "") -> Document:
    """Write the bytes to the default storage and the row; caller holds the transaction."""
    extension = {PDF: "pdf", JPEG: "jpg", PNG: "png"}[content_type]
    name = default_storage.save(f"patients/{patient.pk}/{uuid.uuid4().hex}.{extension}", ContentFile(data))
    try:
        document = Document.objects.create(
            patient=patient, kind=kind, document_date=document_date, description=description[:200],
            storage_name=name, content_type=content_type, size=len(data), sha256=hashlib.sha256(data).hexdigest(),
            uploaded_by=staff_user(actor), uploaded_at=clock.now(),
        )
    except Exception:
        default_storage.delete(name)
        raise
    record(actor, "document.create", document, patient=patient, detail={"kind": kind, "size": len(data)})
    return document


@atomic_service
def document_upload(*, actor: Actor, patient_id: int, kind: str, upload: Any, document_date: Any = None,
                    description: str = "") -> Document:
    patient = lock_patient(patient_id, actor=actor)
    errors = Errors()
    if kind not in Document.Kind.values:
        errors.add("kind", _("Choose a document type."))
    day = check_date(errors, "document_date", document_date, _("Document date")) or clock.now().date()
    if day > clock.now().date():
        errors.add("document_date", _("Document date cannot be in the future."))
    errors.raise_if_any("invalid-document")
    data, content_type = read_upload(upload)
    return store_document(actor=actor, patient=patient, kind=kind, data=data, content_type=content_type,
                          document_date=day, description=description)
