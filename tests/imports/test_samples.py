"""The sample files of docs/imports/ import cleanly, in the documented order, into a small demo practice."""

from __future__ import annotations

from pathlib import Path

import pytest

from clinicdesk.accounts.models import User
from clinicdesk.core.permissions import Role
from clinicdesk.demo.builder import DemoBuilder
from clinicdesk.imports.services import import_file, import_undo
from clinicdesk.scheduling.models import Appointment, AppointmentStatus

from ..factories import UserFactory

SAMPLES = Path(__file__).resolve().parents[2] / "docs" / "imports"
ORDER = ("providers", "rooms", "equipment", "appointment_types", "availability", "staff", "appointments")


@pytest.mark.django_db(transaction=False)
def test_sample_files_import_cleanly_into_the_demo_practice_and_undo_in_reverse():
    DemoBuilder(seed=7).build(patients=12, weeks=0)
    coordinator = User.objects.filter(role=Role.PRACTICE_COORDINATOR).first()
    admin = UserFactory(role=Role.SYSADMIN)
    for kind in ORDER:
        actor = admin if kind == "staff" else coordinator
        report = import_file(actor=actor, kind=kind, file_name=f"{kind}.csv",
                             data=(SAMPLES / f"{kind}.csv").read_bytes())
        assert report.committed, (kind, report.problems)
    assert Appointment.objects.filter(status=AppointmentStatus.BOOKED, start__year=2030).count() == 5
    for kind in reversed(ORDER):
        import_undo(actor=admin if kind == "staff" else coordinator)
    assert not Appointment.objects.filter(status=AppointmentStatus.BOOKED, start__year=2030).exists()
