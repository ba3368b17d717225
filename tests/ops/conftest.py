"""A small practice written through the services, and an empty database to restore it into."""

from __future__ import annotations

import datetime as dt
import io
import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from PIL import Image

from clinicdesk.billing.services import Tender, payment_collect
from clinicdesk.core.permissions import Role
from clinicdesk.core.timezones import local_to_utc
from clinicdesk.patients.selectors import patient_search
from clinicdesk.patients.services import document_upload
from clinicdesk.scheduling.services import BookingRequest, appointment_book
from tests.factories import (
    AppointmentTypeFactory,
    LocationFactory,
    PatientFactory,
    PractitionerFactory,
    UserFactory,
    weekly_availability,
)

TUESDAY = dt.date(2026, 11, 24)
PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
       b"trailer<</Root 1 0 R>>\n%%EOF\n")


def png(seed: int) -> bytes:
    image = Image.new("RGB", (32, 16), (seed * 40 % 256, 90, 200))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


@dataclass
class Practice:
    clerk: Any
    patients: list[Any]


@pytest.fixture
def documents(settings, tmp_path) -> Path:
    """The document storage root for this test."""
    root = tmp_path / "documents"
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(root)}}}
    return root


@pytest.fixture
def practice(transactional_db, documents, clock) -> Practice:
    """Patients with documents (real PDF and PNG bytes), booked appointments, payments and audit entries."""
    location = LocationFactory(name="Downtown", time_zone="America/New_York")
    provider = PractitionerFactory(specialty="Family Medicine")
    weekly_availability(provider, location)
    follow_up = AppointmentTypeFactory(code="follow-up", duration_minutes=20)
    clerk = UserFactory(role=Role.FRONT_DESK, location=location)
    patients = [PatientFactory(home_location=location, family_name=f"Backupson{n}") for n in range(4)]
    for n, patient in enumerate(patients):
        data = PDF if n % 2 else png(n)
        document_upload(actor=clerk, patient_id=patient.pk, kind="referral", document_date="2026-11-01",
                        upload=SimpleUploadedFile("scan", data))
        appointment_book(actor=clerk, idempotency_key=f"book-{n}", request=BookingRequest(
            patient_id=patient.pk, practitioner_id=provider.pk, location_id=location.pk,
            appointment_type_id=follow_up.pk,
            start=local_to_utc(TUESDAY, dt.time(9 + n), ZoneInfo("America/New_York"))))
        payment_collect(actor=clerk, patient_id=patient.pk, location_id=location.pk, amount=Decimal(f"{10 + n}.50"),
                        tender=Tender("cash"), idempotency_key=f"pay-{n}")
    patient_search(actor=clerk, query="Backupson")
    return Practice(clerk=clerk, patients=patients)


def table_names(cursor: Any, vendor: str) -> list[str]:
    if vendor == "sqlite":
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        return sorted(name for (name,) in cursor.fetchall() if not name.startswith("sqlite_"))
    cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
    return sorted(name for (name,) in cursor.fetchall())


def snapshot(cursor: Any, vendor: str) -> dict[str, Any]:
    """Every table's row count and the whole audit chain (position, previous hash, own hash)."""
    counts = {}
    for table in table_names(cursor, vendor):
        cursor.execute(f'SELECT count(*) FROM "{table}"')
        counts[table] = cursor.fetchone()[0]
    cursor.execute("SELECT position, prev_hash, entry_hash, action FROM audit_auditentry ORDER BY position")
    chain = [tuple(row) for row in cursor.fetchall()]
    cursor.execute("SELECT position, last_hash FROM audit_chainhead")
    return {"counts": counts, "chain": chain, "head": [tuple(row) for row in cursor.fetchall()]}


def source_snapshot() -> dict[str, Any]:
    with connection.cursor() as cursor:
        return snapshot(cursor, connection.vendor)


@dataclass
class Target:
    url: str
    read: Any  # () -> snapshot of the target database


@pytest.fixture
def empty_database(tmp_path) -> Iterator[Target]:
    """A new, empty database of the same engine as the test database; dropped afterwards."""
    if connection.vendor == "sqlite":
        path = tmp_path / "restored.sqlite3"

        def read_sqlite() -> dict[str, Any]:
            with sqlite3.connect(path) as db:
                return snapshot(db.cursor(), "sqlite")

        yield Target(url=f"sqlite:///{path}", read=read_sqlite)
        return
    import psycopg

    params = connection.settings_dict
    name = f"clinicdesk_backup_restore_{uuid.uuid4().hex[:12]}"
    server = {"host": params["HOST"] or None, "port": params["PORT"] or None, "user": params["USER"] or None,
              "password": params["PASSWORD"] or None}

    @contextmanager
    def connect(dbname: str) -> Iterator[Any]:
        with psycopg.connect(dbname=dbname, autocommit=True, **server) as db:
            yield db

    with connect("postgres") as db:
        db.execute(f'CREATE DATABASE "{name}"')
    try:
        credentials = quote(params["USER"] or "", safe="") + (
            ":" + quote(params["PASSWORD"], safe="") if params["PASSWORD"] else "")

        def read_postgres() -> dict[str, Any]:
            with connect(name) as db, db.cursor() as cursor:
                return snapshot(cursor, "postgresql")

        yield Target(url=f"postgres://{credentials}@{params['HOST'] or 'localhost'}:{params['PORT'] or 5432}/{name}",
                     read=read_postgres)
    finally:
        with connect("postgres") as db:
            db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
