"""The periodic jobs that complete batch coverage checks (#18 leftover): collecting the 271s left in the drop
folders, and expiring requests that never got one. Registered like the evening batch; the tasks call the
services as the system."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest

from clinicdesk.core import periodic
from clinicdesk.insurance import tasks
from clinicdesk.insurance.models import EligibilityResult, EligibilityStatus
from clinicdesk.insurance.services import SYSTEM, eligibility_verify

from .clearinghouse import answer_271
from .conftest import TOMORROW

pytestmark = pytest.mark.django_db


@pytest.fixture
def folders(settings, tmp_path):
    settings.CLEARINGHOUSE_FOLDER_OUTBOUND = str(tmp_path / "out")
    settings.CLEARINGHOUSE_FOLDER_INBOUND = str(tmp_path / "in")
    (tmp_path / "in").mkdir()
    return tmp_path


def test_registry_holds_the_collect_and_expire_jobs():
    collect, expire = periodic.JOBS["collect-eligibility-answers"], periodic.JOBS["expire-pending-eligibility"]
    assert collect.every_seconds == 900 and expire.every_seconds == 3600
    assert collect.is_due is None and expire.is_due is None  # all day long, not only in the evening
    assert collect.enqueue == tasks.collect_batch_answers.enqueue
    assert expire.enqueue == tasks.expire_pending_checks.enqueue


def test_collect_task_completes_a_pending_folder_check(folders, coverage, coordinator, clock):
    result = eligibility_verify(actor=coordinator, coverage_id=coverage.pk, channel="folder", service_date=TOMORROW)
    sent = next((folders / "out").iterdir()).read_text()
    (folders / "in" / "271-a.x12").write_text(answer_271(sent))
    assert tasks.collect_batch_answers.call() == 1
    result.refresh_from_db()
    assert result.status == EligibilityStatus.ACTIVE and result.answered_at is not None
    assert tasks.collect_batch_answers.call() == 0  # nothing pending: safe to run again


def test_collect_task_asks_only_channels_with_a_waiting_request(folders, coverage, coordinator, clock):
    with mock.patch("clinicdesk.insurance.services.eligibility_collect") as collect:
        assert tasks.collect_batch_answers.call() == 0
    collect.assert_not_called()  # no SFTP connection when nothing waits
    eligibility_verify(actor=coordinator, coverage_id=coverage.pk, channel="folder", service_date=TOMORROW)
    with mock.patch("clinicdesk.insurance.services.eligibility_collect") as collect:
        collect.return_value.answered = 0
        tasks.collect_batch_answers.call()
    collect.assert_called_once_with(actor=SYSTEM, channel="folder")


def test_collect_task_skips_a_channel_no_longer_set_up(coverage, coordinator, clock, folders, settings):
    eligibility_verify(actor=coordinator, coverage_id=coverage.pk, channel="folder", service_date=TOMORROW)
    EligibilityResult.objects.update(channel="sftp")  # sent over SFTP, which is no longer configured
    settings.CLEARINGHOUSE_SFTP_HOST = ""
    assert tasks.collect_batch_answers.call() == 0
    assert EligibilityResult.objects.get().status == EligibilityStatus.PENDING


def test_expire_task_calls_the_service_as_the_system():
    with mock.patch("clinicdesk.insurance.services.eligibility_expire_pending", return_value=3) as expire:
        assert tasks.expire_pending_checks.call() == 3
    expire.assert_called_once_with(actor=SYSTEM)


def test_expire_task_times_out_a_day_old_request(folders, coverage, coordinator, clock):
    result = eligibility_verify(actor=coordinator, coverage_id=coverage.pk, channel="folder", service_date=TOMORROW)
    assert tasks.expire_pending_checks.call() == 0
    clock.advance(dt.timedelta(hours=25))
    assert tasks.expire_pending_checks.call() == 1
    result.refresh_from_db()
    assert (result.status, result.failure) == (EligibilityStatus.FAILED, "timeout")
