"""The import screen: upload -> report -> import -> undo, with the test client; who may use it."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from clinicdesk.accounts.models import User
from clinicdesk.core.permissions import Role
from clinicdesk.imports.models import ImportBatch
from clinicdesk.practice.models import Room

from .conftest import csv_bytes

URL = "/setup/imports/"


def _upload(client: Client, kind: str, data: bytes):  # type: ignore[no-untyped-def]
    return client.post(URL, {"kind": kind, "file": SimpleUploadedFile("rooms.csv", data, "text/csv")})


def test_screen_flow_upload_report_import_undo(signed_in, downtown):
    client = signed_in(Role.PRACTICE_COORDINATOR, at=downtown)
    bad = _upload(client, "rooms", csv_bytes("location,name,kind", "downtown,Room 9,exam", "downtown,Room 10,sauna"))
    assert bad.status_code == 422 and "Problems found" in bad.content.decode()
    assert "sauna" in bad.content.decode() and Room.objects.count() == 0
    good = _upload(client, "rooms", csv_bytes("location,name,kind", "downtown,Room 9,exam"))
    assert good.status_code == 302
    review = client.get(good["Location"])
    assert "1 row is ready" in review.content.decode() and Room.objects.count() == 0
    done = client.post(good["Location"])
    assert done.status_code == 302 and Room.objects.get().name == "Room 9"
    home = client.get(URL)
    assert "Undo" in home.content.decode() and "rooms.csv" in home.content.decode()
    batch = ImportBatch.objects.get()
    assert batch.status == "imported" and batch.content == ""
    undone = client.post(URL + "undo/", {"batch": batch.pk})
    assert undone.status_code == 302 and not Room.objects.get().active


def test_screen_refuses_the_front_desk(signed_in, downtown):
    client = signed_in(Role.FRONT_DESK, at=downtown)
    assert client.get(URL).status_code == 403
    assert _upload(client, "rooms", csv_bytes("location,name", "downtown,Room 9")).status_code == 403


def test_screen_offers_staff_only_to_the_system_administrator(signed_in, downtown):
    coordinator = signed_in(Role.PRACTICE_COORDINATOR, at=downtown)
    assert 'value="staff"' not in coordinator.get(URL).content.decode()
    refused = _upload(coordinator, "staff", csv_bytes("username,role,locations", "mreyes,front_desk,downtown"))
    assert refused.status_code == 422 and not User.objects.filter(username="mreyes").exists()
    admin = signed_in(Role.SYSADMIN, at=downtown)
    assert 'value="staff"' in admin.get(URL).content.decode()


def test_screen_staff_import_then_temporary_passwords_once(signed_in, downtown):
    admin = signed_in(Role.SYSADMIN, at=downtown)
    checked = _upload(admin, "staff", csv_bytes("username,role,locations", "mreyes,front_desk,downtown"))
    assert admin.post(checked["Location"]).status_code == 302
    batch = ImportBatch.objects.get()
    assert "Print temporary passwords once" in admin.get(URL).content.decode()
    shown = admin.post(f"{URL}{batch.pk}/passwords/")
    assert shown.status_code == 200 and "mreyes" in shown.content.decode()
    assert User.objects.get(username="mreyes").has_usable_password()
    again = admin.post(f"{URL}{batch.pk}/passwords/")
    assert again.status_code == 302 and "Print temporary passwords once" not in admin.get(URL).content.decode()


def test_screen_a_checked_file_is_only_for_the_user_who_checked_it(signed_in, downtown):
    first = signed_in(Role.PRACTICE_COORDINATOR, at=downtown)
    checked = _upload(first, "rooms", csv_bytes("location,name", "downtown,Room 9"))
    other = signed_in(Role.PRACTICE_COORDINATOR, at=downtown)
    assert other.post(checked["Location"]).status_code == 404 and Room.objects.count() == 0


def test_screen_in_spanish_reports_problems_in_spanish(signed_in, downtown):
    client = signed_in(Role.PRACTICE_COORDINATOR, at=downtown, language="es")
    client.cookies["django_language"] = "es"
    page = _upload(client, "rooms", csv_bytes("location,name", "nowhere,Room 9"))
    assert page.status_code == 422 and "nowhere" in page.content.decode()
