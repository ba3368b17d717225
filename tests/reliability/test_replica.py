"""Reads on a PostgreSQL streaming replica (#16 item 5; core/replica.py, docs/adr/0009-read-replica-routing.md).

The router's rules are checked on both databases with the replica alias pointed at the primary. The tests
marked `standby` run against a real standby of the test cluster (`scripts/pg_replica.sh` starts it; the
PostgreSQL pass of scripts/test.sh exports TEST_REPLICA_PORT): a row committed on the primary is read from the
standby, the dashboards' hand-counted figures come out the same from it, and a write never goes there.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connections, transaction
from django.db.utils import InternalError, OperationalError
from django.test import Client
from django.test.utils import CaptureQueriesContext

from clinicdesk.core import replica
from clinicdesk.patients.models import Patient
from tests.factories import PatientFactory

REPLICA = replica.REPLICA_ALIAS


def _add_alias(**overrides: Any) -> None:
    connections.settings[REPLICA] = {**connections["default"].settings_dict, **overrides}


def _drop_alias() -> None:
    if REPLICA in connections.settings:
        connections[REPLICA].close()
        del connections.settings[REPLICA]
        with contextlib.suppress(AttributeError):
            delattr(connections._connections, REPLICA)


@pytest.fixture
def alias_to_primary() -> Iterator[None]:
    """The replica alias exists but points at the primary: for the routing rules, on either database."""
    _add_alias()
    yield
    _drop_alias()


def test_without_a_replica_every_read_goes_to_the_primary(db):
    with replica.replica_reads():
        assert not replica.reads_go_to_replica()
        assert replica.ReplicaRouter().db_for_read(Patient) is None


def test_only_reads_that_ask_for_the_replica_go_there(alias_to_primary):
    router = replica.ReplicaRouter()
    with replica.pinned_to_primary(False):
        assert router.db_for_read(Patient) is None
        with replica.replica_reads():
            assert router.db_for_read(Patient) == REPLICA


def test_a_write_goes_to_the_primary_and_pins_the_rest_of_the_request(alias_to_primary):
    router = replica.ReplicaRouter()
    with replica.pinned_to_primary(False), replica.replica_reads():
        assert router.db_for_read(Patient) == REPLICA
        assert router.db_for_write(Patient) == "default"
        assert router.db_for_read(Patient) is None  # read-your-own-write
    with replica.pinned_to_primary(False), replica.replica_reads():
        assert router.db_for_read(Patient) == REPLICA  # the pin ends with the request


def test_reads_inside_a_transaction_stay_on_the_primary(alias_to_primary, db):
    with replica.pinned_to_primary(False), replica.replica_reads(), transaction.atomic():
        assert replica.ReplicaRouter().db_for_read(Patient) is None


def test_a_selector_falls_back_to_the_primary_when_the_standby_is_down(alias_to_primary):
    calls: list[bool] = []

    @replica.reads_from_replica
    def report() -> str:
        calls.append(replica.reads_go_to_replica())
        if calls[-1]:
            raise OperationalError("connection refused")
        return "from the primary"

    with replica.pinned_to_primary(False):
        assert report() == "from the primary"
    assert calls == [True, False]


def test_nothing_is_migrated_on_the_replica():
    router = replica.ReplicaRouter()
    assert router.allow_migrate(REPLICA, "patients") is False
    assert router.allow_migrate("default", "patients") is True


def test_a_post_pins_the_browser_to_the_primary_for_a_moment(alias_to_primary, settings):
    seen: list[bool] = []

    def view(request):
        with replica.replica_reads():
            seen.append(replica.reads_go_to_replica())
        from django.http import HttpResponse

        return HttpResponse("ok")

    middleware = replica.ReplicaPinMiddleware(view)
    from django.test import RequestFactory

    rf = RequestFactory()
    middleware(rf.get("/"))
    response = middleware(rf.post("/"))
    pinned = rf.get("/")
    pinned.COOKIES[replica.PIN_COOKIE] = response.cookies[replica.PIN_COOKIE].value
    middleware(pinned)
    assert seen == [True, False, False]
    assert response.cookies[replica.PIN_COOKIE]["max-age"] == settings.REPLICA_PIN_SECONDS
    assert response.cookies[replica.PIN_COOKIE].value == "1"  # no data in it


# --- a real standby ----------------------------------------------------------------------------------------


def _standby_port() -> int:
    port = os.environ.get("TEST_REPLICA_PORT", "")
    if connections["default"].vendor != "postgresql":
        pytest.skip("a streaming replica is a PostgreSQL feature")
    if not port:
        if os.environ.get("CI"):
            pytest.fail("CI=true and no standby: scripts/test.sh starts one with scripts/pg_replica.sh")
        pytest.skip("no standby running: scripts/pg_replica.sh start, then TEST_REPLICA_PORT=5433")
    return int(port)


def _wait_for_replay(timeout: float = 15.0) -> None:
    """Until the standby has replayed everything the primary wrote so far (polls; no fixed sleep)."""
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()::text")
        target = cursor.fetchone()[0]
    deadline = time.monotonic() + timeout
    with connections[REPLICA].cursor() as cursor:
        while True:
            cursor.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [target])
            if cursor.fetchone()[0]:
                return
            if time.monotonic() > deadline:
                pytest.fail(f"the standby did not replay up to {target} in {timeout} s")
            time.sleep(0.01)


@pytest.fixture
def standby(transactional_db) -> Iterator[None]:
    port = _standby_port()
    # Persistent (the end of a test request must not close it), and connected here: Django's test case refuses
    # to open a connection for an alias it was not told about, but uses one that is open.
    _add_alias(HOST="127.0.0.1", PORT=port, CONN_MAX_AGE=None)
    connections[REPLICA].connect()
    try:
        with connections[REPLICA].cursor() as cursor:
            cursor.execute("SELECT pg_is_in_recovery()")
            assert cursor.fetchone()[0] is True, "the replica alias must point at a standby"
        yield
    finally:
        _drop_alias()


@pytest.mark.postgres
def test_a_committed_row_is_read_from_the_standby(standby):
    patient = PatientFactory(family_name="Replicated")
    _wait_for_replay()
    with replica.pinned_to_primary(False), replica.replica_reads(), \
            CaptureQueriesContext(connections[REPLICA]) as on_standby:
        assert Patient.objects.get(pk=patient.pk).family_name == "Replicated"
    assert len(on_standby) == 1


@pytest.mark.postgres
def test_the_standby_refuses_writes_and_the_router_never_sends_one(standby):
    with pytest.raises((InternalError, OperationalError), match="read-only"), \
            connections[REPLICA].cursor() as cursor:
        cursor.execute("CREATE TABLE replica_write_probe (id int)")
    with replica.pinned_to_primary(False), replica.replica_reads(), \
            CaptureQueriesContext(connections[REPLICA]) as on_standby:
        PatientFactory(family_name="Written")
        assert Patient.objects.filter(family_name="Written").exists()  # read-your-own-write: primary
    assert len(on_standby) == 0


@pytest.mark.postgres
def test_the_dashboards_read_their_hand_counted_figures_from_the_standby(standby, clock):
    from clinicdesk.insight.dashboard_selectors import dashboard_read
    from tests.insight.dashboard_world import RANGE, build

    world = build()
    _wait_for_replay()
    with replica.pinned_to_primary(False), CaptureQueriesContext(connections[REPLICA]) as on_standby:
        board = dashboard_read(actor=world.coordinator, params=RANGE, keys=["volume", "noshow"])
    volume, noshow = board.figures
    assert {s.label: s.values for s in volume.series} == {"Downtown": [4, 1], "Uptown": [1, 0]}
    assert {s.label: s.values for s in noshow.series}["No-show rate (%)"] == [25.0, None]
    assert len(on_standby) > 0


@pytest.mark.postgres
def test_the_dashboard_page_reads_from_the_standby_until_the_browser_writes(standby, clock):
    from tests.insight.dashboard_world import RANGE, build

    world = build()
    _wait_for_replay()
    client = Client()
    client.force_login(world.coordinator)
    with CaptureQueriesContext(connections[REPLICA]) as on_standby:
        assert client.get("/insight/dashboards/", RANGE).status_code == 200
    assert len(on_standby) > 0
    client.cookies[replica.PIN_COOKIE] = "1"  # what the reply to a POST sets
    with CaptureQueriesContext(connections[REPLICA]) as after_write:
        assert client.get("/insight/dashboards/", RANGE).status_code == 200
    assert len(after_write) == 0
