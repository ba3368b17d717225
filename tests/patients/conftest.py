from __future__ import annotations

import base64
import datetime as dt
import io

import pytest
from PIL import Image

from clinicdesk.core.permissions import Role
from clinicdesk.patients.models import Payer


@pytest.fixture(autouse=True)
def document_storage(settings, tmp_path):
    """Each test writes documents and signed PDFs to its own folder."""
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path / "docs")}}}
    return tmp_path / "docs"


@pytest.fixture
def clerk(make_user, location):
    return make_user(Role.FRONT_DESK, at=location)


@pytest.fixture
def clerk_elsewhere(make_user, other_location):
    return make_user(Role.FRONT_DESK, at=other_location)


@pytest.fixture
def outsider(make_user, location):
    """Works at the location but has no patient permission."""
    return make_user(Role.SYSADMIN, at=location)


@pytest.fixture
def aetna(db):
    return Payer.objects.get(name="Aetna")


def png_bytes(size=(40, 20), ink=True) -> bytes:
    image = Image.new("RGBA", size, (0, 0, 0, 0))
    if ink:
        for x in range(5, 30):
            image.putpixel((x, 10), (0, 0, 0, 255))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def jpeg_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (30, 20), (200, 10, 10)).save(buffer, "JPEG")
    return buffer.getvalue()


PDF_BYTES = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
             b"trailer<</Root 1 0 R>>\n%%EOF\n")


def data_url(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode()


REGISTRATION = {
    "given_name": "Marisol", "family_name": "Quintero", "birth_date": dt.date(1984, 3, 7), "sex": "female",
    "phone": "(413) 555-0147", "email": "marisol.q@example.com",
}
