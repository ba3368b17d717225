"""Files kept by the compliance program (evidence, data sheets, agreements, policy documents): the bytes decide
what a file is (PDF, JPEG or PNG, via the patients app's upload check); stored outside the web root."""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from clinicdesk.core import clock
from clinicdesk.core.permissions import Actor, staff_user
from clinicdesk.patients.services.documents import read_upload

from ..models import ComplianceFile

EXTENSIONS = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}


def store_file(actor: Actor, upload: Any, *, field: str = "file") -> ComplianceFile | None:
    """Store an upload (None: no file given); the caller holds the transaction."""
    if upload is None:
        return None
    data, content_type = read_upload(upload, field)
    name = default_storage.save(f"compliance/{uuid.uuid4().hex}.{EXTENSIONS[content_type]}", ContentFile(data))
    shown = " ".join(str(getattr(upload, "name", "") or "").split())[-160:] or name.rsplit("/", 1)[-1]
    try:
        return ComplianceFile.objects.create(name=shown, storage_name=name, content_type=content_type,
                                             size=len(data), sha256=hashlib.sha256(data).hexdigest(),
                                             uploaded_by=staff_user(actor), uploaded_at=clock.now())
    except Exception:
        default_storage.delete(name)
        raise
