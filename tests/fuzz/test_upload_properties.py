"""Malformed uploads: whatever the bytes (random, empty, truncated or damaged PDF, PNG and JPEG, polyglots,
decompression bombs) and whatever the name (wrong extension, huge, odd characters), a patient document is
either stored with the type its bytes say, or refused with a message on the file field; nothing is stored
on a refusal, and neither the service nor the upload page ever fails with a 500."""

from __future__ import annotations

import io
import re
import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from clinicdesk.core.exceptions import ValidationFailed
from clinicdesk.patients.models import Document
from clinicdesk.patients.services import document_upload
from clinicdesk.patients.services.documents import JPEG, PDF, PNG, read_upload, sniff

from .conftest import Clinic, rolled_back, scaled

pytestmark = pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
WITH_DB = settings(max_examples=scaled(40), deadline=None, database=None,
                   suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


def _image(kind: str, size: tuple[int, int] = (30, 20)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 10, 10)).save(buffer, kind)
    return buffer.getvalue()


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png_claiming(width: int, height: int) -> bytes:
    """A small PNG whose header claims width x height pixels."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(b"\0" * 16))
            + _chunk(b"IEND", b""))


PNG_BYTES, JPEG_BYTES = _image("PNG"), _image("JPEG")
PDF_BYTES = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
             b"trailer<</Root 1 0 R>>\n%%EOF\n")
GOOD = st.sampled_from([PNG_BYTES, JPEG_BYTES, PDF_BYTES])


@st.composite
def damaged(draw) -> bytes:
    """A good file cut short, with bytes flipped, with something glued to it, or random bytes."""
    data = bytearray(draw(GOOD))
    how = draw(st.sampled_from(["truncate", "flip", "prefix", "suffix", "random", "magic", "bomb"]))
    if how == "truncate":
        return bytes(data[:draw(st.integers(0, len(data)))])
    if how == "flip":
        for _ in range(draw(st.integers(1, 4))):
            index = draw(st.integers(0, len(data) - 1))
            data[index] = draw(st.integers(0, 255))
        return bytes(data)
    if how == "prefix":
        return draw(st.binary(max_size=16)) + bytes(data)
    if how == "suffix":
        return bytes(data) + draw(st.one_of(GOOD, st.binary(max_size=64)))
    if how == "magic":  # the right first bytes, then anything
        return draw(st.sampled_from([b"%PDF-", b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n"])) + draw(st.binary(max_size=200))
    if how == "bomb":
        return png_claiming(draw(st.integers(1, 2**31 - 1)), draw(st.integers(1, 2**31 - 1)))
    return draw(st.binary(max_size=300))


NAMES = st.one_of(st.sampled_from(["scan.pdf", "photo.png", "id.jpg", "report.exe", "", ".", "a" * 300 + ".pdf",
                                   "../../etc/passwd", "x.pdf.png", "CON", "naïve façade.PDF"]),
                  st.text(alphabet=st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00/\\"),
                          min_size=1, max_size=50))


@settings(max_examples=scaled(400), deadline=None, database=None)
@given(st.one_of(damaged(), GOOD))
def test_read_upload_answers_a_type_or_a_refusal_on_the_file_field(data):
    try:
        stored, content_type = read_upload(SimpleUploadedFile("any.name", data))
    except ValidationFailed as refusal:
        assert set(refusal.fields) == {"file"} and refusal.code in ("file-empty", "file-type", "file-too-large")
        return
    assert stored == data and content_type in (PDF, JPEG, PNG) and content_type == sniff(data)


@pytest.mark.parametrize(("width", "height"), [(100_000, 100_000), (20_000, 10_000), (2**31 - 1, 1)])
def test_a_decompression_bomb_is_refused_not_a_500(width, height):
    """Regression: Pillow's DecompressionBombError escaped as a 500; between its two limits it only warned."""
    with pytest.raises(ValidationFailed) as refused:
        read_upload(SimpleUploadedFile("bomb.png", png_claiming(width, height)))
    assert refused.value.code == "file-type"


@pytest.fixture
def document_storage(settings, tmp_path):
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path / "docs")}}}
    return tmp_path / "docs"


def _stored_files(root) -> list:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@WITH_DB
@given(data=st.one_of(damaged(), GOOD), name=NAMES.filter(lambda n: n.rsplit("/", 1)[-1] not in ("", ".", "..")))
def test_document_upload_stores_whole_files_only(fuzz_clinic: Clinic, document_storage, data, name):
    with rolled_back():
        before_rows, before_files = Document.objects.count(), len(_stored_files(document_storage))
        try:
            document = document_upload(actor=fuzz_clinic.clerk, patient_id=fuzz_clinic.patients[0].pk, kind="referral",
                                       upload=SimpleUploadedFile(name, data), document_date="2026-11-01")
        except ValidationFailed as refusal:
            assert "file" in refusal.fields
            assert Document.objects.count() == before_rows and len(_stored_files(document_storage)) == before_files
            return
        assert document.content_type == sniff(data)
        ours = rf"patients/{fuzz_clinic.patients[0].pk}/[0-9a-f]{{32}}\.(pdf|jpg|png)"  # never the uploaded name
        assert re.fullmatch(ours, document.storage_name)
        assert (document_storage / document.storage_name).read_bytes() == data


def _multipart(fields: dict[str, str], filename: bytes, data: bytes) -> tuple[bytes, str]:
    """A multipart body with the file name exactly as given (the test client would clean it up first)."""
    boundary = "fuzzboundary7d2f"
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
             for k, v in fields.items()]
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="'.encode() + filename
                 + b'"\r\nContent-Type: application/octet-stream\r\n\r\n' + data + b"\r\n")
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


RAW_NAMES = st.one_of(NAMES.map(lambda n: n.encode("utf-8", "surrogatepass").replace(b'"', b"")),
                      st.sampled_from([b"", b".", b"..", b"../../x.pdf", b"C:\\x\\y.pdf", b"a\x00b.pdf",
                                       b"\xff\xfe.png", b"x" * 5000]))


@WITH_DB
@given(data=st.one_of(damaged(), GOOD, st.just(b"")), name=RAW_NAMES,
       kind=st.sampled_from(["referral", "photo-id", "signed-form", "nonsense", ""]),
       day=st.sampled_from(["2026-11-01", "2030-01-01", "0001-01-01", "9999-12-31", "not a date", ""]))
def test_upload_page_never_answers_500(fuzz_clinic: Clinic, document_storage, data, name, kind, day):
    with rolled_back():
        client = Client(raise_request_exception=False)
        client.force_login(fuzz_clinic.clerk)
        before = Document.objects.count()
        body, content_type = _multipart({"kind": kind, "document_date": day, "description": "Fuzz"}, name, data)
        answer = client.post(f"/patients/{fuzz_clinic.patients[0].pk}/documents/new/", body, content_type=content_type)
        assert answer.status_code < 500, answer.content[:500]
        if answer.status_code != 302:  # anything but the redirect to the chart: nothing was stored
            assert Document.objects.count() == before
