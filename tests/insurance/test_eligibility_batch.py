"""Tomorrow's schedule in one go: real time (4 connections), SFTP drop folders and a local folder."""

from __future__ import annotations

import datetime as dt

import pytest

from clinicdesk.core.permissions import Role
from clinicdesk.insurance.clearinghouse.batch import SftpFolder
from clinicdesk.insurance.clearinghouse.core import ExchangeError
from clinicdesk.insurance.models import EligibilityResult, EligibilityStatus
from clinicdesk.insurance.services import (
    SYSTEM,
    eligibility_batch_for_date,
    eligibility_collect,
    eligibility_expire_pending,
    eligibility_verify,
)
from tests.factories import PatientFactory

from .clearinghouse import USERNAME, answer_271, process_drop_folder
from .conftest import TOMORROW

pytestmark = pytest.mark.django_db

MEMBERS = ["W100", "INACT200", "REJ300", "OTHER400", "BAD500"]


@pytest.fixture
def schedule(make_coverage, organization, book, location):
    coverages = []
    for i, member in enumerate(MEMBERS):
        patient = PatientFactory(home_location=location, family_name="Garcia", given_name=f"Ana{i}")
        coverages.append(make_coverage(member_id=member, patient=patient))
        book(patient, hour=13 + i)
    uninsured = PatientFactory(home_location=location)
    book(uninsured, hour=19)
    return coverages


def _statuses():
    return {r.member_id: r.status for r in EligibilityResult.objects.all()}


def test_batch_for_tomorrow_over_real_time(http_clearinghouse, schedule, coordinator, clock):
    report = eligibility_batch_for_date(actor=coordinator, day=TOMORROW)
    assert report.asked == 5 and report.no_coverage == 1
    assert _statuses() == {"W100": "active", "INACT200": "inactive", "REJ300": "rejected",
                           "OTHER400": "mismatch", "BAD500": "failed"}
    assert len(http_clearinghouse.requests) == 5


def test_batch_skips_fresh_answers_so_the_job_may_run_twice(http_clearinghouse, schedule, clock):
    eligibility_batch_for_date(actor=SYSTEM, day=TOMORROW)
    again = eligibility_batch_for_date(actor=SYSTEM, day=TOMORROW)
    assert again.skipped_fresh == 2  # the active and the inactive answers; the others are asked again
    assert again.asked == 3


def test_batch_only_covers_the_actors_locations(http_clearinghouse, schedule, make_user, other_location, clock):
    stranger = make_user(Role.FRONT_DESK, at=other_location)
    report = eligibility_batch_for_date(actor=stranger, day=TOMORROW)
    assert report.asked == 0 and not EligibilityResult.objects.exists()


def test_batch_over_sftp_drop_folders(sftp_clearinghouse, schedule, coordinator, clock):
    report = eligibility_batch_for_date(actor=coordinator, day=TOMORROW, channel="sftp")
    assert report.asked == 5 and report.file
    assert set(_statuses().values()) == {EligibilityStatus.PENDING}
    root = sftp_clearinghouse.root
    assert [p.name for p in (root / "outbound").iterdir()] == [report.file]
    # the clearinghouse answers the batch (BAD500's answer spoils the whole file: answer it separately)
    process_drop_folder(root / "outbound", root / "inbound")
    collected = eligibility_collect(actor=coordinator, channel="sftp")
    assert collected.files == 1 and collected.unreadable == [report.file.replace("270-", "271-")]
    assert set(_statuses().values()) == {EligibilityStatus.PENDING}  # nothing guessed from an unreadable file


def test_sftp_answers_complete_the_pending_results(sftp_clearinghouse, make_coverage, organization, coordinator,
                                                   clock, location):
    good = make_coverage(member_id="W100")
    other = make_coverage(member_id="INACT200", patient=PatientFactory(family_name="Lopez", home_location=location))
    for coverage in (good, other):
        eligibility_verify(actor=coordinator, coverage_id=coverage.pk, channel="sftp", service_date=TOMORROW)
    root = sftp_clearinghouse.root
    process_drop_folder(root / "outbound", root / "inbound")
    collected = eligibility_collect(actor=coordinator, channel="sftp")
    assert (collected.files, collected.answered, collected.unmatched) == (2, 2, 0)
    assert _statuses() == {"W100": "active", "INACT200": "inactive"}
    assert not list((root / "inbound").iterdir())


def test_sftp_refuses_an_unknown_host_key(sftp_clearinghouse, tmp_path):
    known = tmp_path / "other_known_hosts"
    known.write_text(f"[127.0.0.1]:{sftp_clearinghouse.port} ssh-ed25519 "
                     "AAAAC3NzaC1lZDI1NTE5AAAAIPlaceholderPlaceholderPlaceholderPlace\n")
    folder = SftpFolder(host="127.0.0.1", port=sftp_clearinghouse.port, username=USERNAME, password="x",
                        known_hosts=str(known), outbound="/outbound", inbound="/inbound", timeout=5)
    with pytest.raises(ExchangeError) as caught:
        folder.take()
    assert caught.value.kind in ("refused", "transport")


def test_sftp_down_marks_the_batch_failed(schedule, coordinator, clock, settings, tmp_path):
    settings.CLEARINGHOUSE_SFTP_HOST, settings.CLEARINGHOUSE_SFTP_PORT = "127.0.0.1", 9
    settings.CLEARINGHOUSE_SFTP_KNOWN_HOSTS = str(tmp_path / "known_hosts")
    settings.CLEARINGHOUSE_TIMEOUT_SECONDS = 2
    report = eligibility_batch_for_date(actor=coordinator, day=TOMORROW, channel="sftp")
    assert report.by_status == {"failed": 5}
    assert {r.failure for r in EligibilityResult.objects.all()} == {"transport"}


def test_local_folder_round_trip(schedule, coordinator, clock, settings, tmp_path):
    settings.CLEARINGHOUSE_FOLDER_OUTBOUND = str(tmp_path / "out")
    settings.CLEARINGHOUSE_FOLDER_INBOUND = str(tmp_path / "in")
    (tmp_path / "in").mkdir()
    report = eligibility_batch_for_date(actor=coordinator, day=TOMORROW, channel="folder")
    assert report.asked == 5
    # The clearinghouse answers the file, but about member W500 where we asked about BAD500.
    sent = (tmp_path / "out" / report.file).read_text()
    (tmp_path / "in" / "271-a.x12").write_text(answer_271(sent.replace("BAD500", "W500")))
    collected = eligibility_collect(actor=coordinator, channel="folder")
    assert (collected.files, collected.answered, collected.unmatched) == (1, 4, 1)
    assert _statuses() == {"W100": "active", "INACT200": "inactive", "REJ300": "rejected",
                           "OTHER400": "pending", "BAD500": "mismatch"}  # OTHER400's answer has a foreign trace


def test_a_batch_request_without_answer_expires_as_failed(coverage, coordinator, clock, settings, tmp_path):
    settings.CLEARINGHOUSE_FOLDER_OUTBOUND = str(tmp_path / "out")
    settings.CLEARINGHOUSE_FOLDER_INBOUND = str(tmp_path / "in")
    result = eligibility_verify(actor=coordinator, coverage_id=coverage.pk, channel="folder", service_date=TOMORROW)
    assert result.status == EligibilityStatus.PENDING
    clock.advance(dt.timedelta(hours=23))
    assert eligibility_expire_pending(actor=coordinator) == 0
    clock.advance(dt.timedelta(hours=2))
    assert eligibility_expire_pending(actor=coordinator) == 1
    result.refresh_from_db()
    assert (result.status, result.failure) == (EligibilityStatus.FAILED, "timeout")


def test_the_evening_job_is_registered_and_verifies_tomorrow(http_clearinghouse, schedule, clock, settings):
    from clinicdesk.core import periodic
    from clinicdesk.insurance.services import eligibility_tomorrow, evening_batch_due

    assert "verify-tomorrows-coverage" in periodic.JOBS
    settings.ELIGIBILITY_BATCH_HOUR = 18
    assert not evening_batch_due()  # 10:00 in New York
    report = eligibility_tomorrow()
    assert report.day == TOMORROW and report.asked == 5
    assert {r.requested_by_id for r in EligibilityResult.objects.all()} == {None}  # the system, not a person


def test_the_demo_holds_a_result_in_every_state(clock, make_coverage, book, organization, make_user, location):
    """#18 "Done when": the demo practice's checks (no network: the answers the test clearinghouse would give)
    end in every state, each failure with its reason."""
    from clinicdesk.insurance.demo import CASES, eligibility_demo
    from clinicdesk.insurance.models import EligibilityFailure

    for index in range(len(CASES)):
        book(make_coverage(member_id=f"W{index:09d}", patient=PatientFactory(home_location=location)).patient,
             hour=13 + index % 6, minute=(index // 6) * 20)
    counts = eligibility_demo(actor=make_user(Role.PRACTICE_COORDINATOR))
    assert set(counts) == set(EligibilityStatus.values) and sum(counts.values()) == len(CASES)
    failures = set(EligibilityResult.objects.filter(status=EligibilityStatus.FAILED).values_list("failure", flat=True))
    assert failures == {EligibilityFailure.TIMEOUT, EligibilityFailure.MALFORMED}
    assert EligibilityResult.objects.get(status=EligibilityStatus.MISMATCH).failure == EligibilityFailure.MISMATCH
