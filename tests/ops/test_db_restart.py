"""PostgreSQL drops the app's connection (a restart, a failover, pg_terminate_backend): the app carries on
without a manual step. The request that was using the connection fails and saves nothing; the next one
reconnects, because CONN_HEALTH_CHECKS checks a kept connection (CONN_MAX_AGE) before its first query.

Django's test client disconnects `close_old_connections` from the request signals so that a test's
connection survives; a WSGI server runs it before and after every request. The client below does the same,
so these requests manage connections exactly as in production."""

from __future__ import annotations

import pytest
from django.db import close_old_connections, connection
from django.test import Client
from django.test.client import ClientHandler

from clinicdesk.audit.models import AuditEntry
from clinicdesk.audit.services import chain_verify
from clinicdesk.core.permissions import Role
from tests.factories import LocationFactory, PatientFactory, UserFactory

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="PostgreSQL only: SQLite is a file in the app's process, with no server to restart"),
]


class ServerHandler(ClientHandler):
    """The test client's handler with connections managed as under gunicorn (request_started/finished)."""

    def __call__(self, environ):
        close_old_connections()
        try:
            return super().__call__(environ)
        finally:
            close_old_connections()


@pytest.fixture
def desk(transactional_db):
    location = LocationFactory(name="Downtown")
    PatientFactory(home_location=location, family_name="Restartson")
    user = UserFactory(role=Role.FRONT_DESK, location=location)
    assert not user.mfa_required
    client = Client(raise_request_exception=False)
    client.handler = ServerHandler(enforce_csrf_checks=False)
    client.force_login(user)
    return client


def _backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def _terminate(pid: int) -> None:
    """What a restart does to the app's connection, done from a second connection."""
    import psycopg

    params = connection.settings_dict
    with psycopg.connect(host=params["HOST"] or None, port=params["PORT"] or None, user=params["USER"] or None,
                         password=params["PASSWORD"] or None, dbname=params["NAME"], autocommit=True) as other:
        terminated = other.execute("SELECT pg_terminate_backend(%s, 5000)", [pid]).fetchone()[0]
    assert terminated


def _search(client: Client):
    return client.post("/patients/", {"q": "Restartson"})


def test_settings_keep_connections_and_check_them_before_use():
    assert connection.settings_dict["CONN_HEALTH_CHECKS"] is True
    assert 0 < connection.settings_dict["CONN_MAX_AGE"] <= 600


def test_the_request_after_a_dropped_connection_reconnects_by_itself(desk):
    assert desk.get("/healthz").status_code == 200
    assert _search(desk).status_code == 200
    pid = _backend_pid()
    assert desk.get("/healthz").status_code == 200 and _backend_pid() == pid  # the connection is kept

    _terminate(pid)

    assert desk.get("/healthz").json() == {"status": "ok"}
    response = _search(desk)
    assert response.status_code == 200 and b"Restartson" in response.content
    assert _backend_pid() != pid
    assert AuditEntry.objects.filter(action="patient.search").count() == 2


def test_a_request_whose_connection_drops_fails_saves_nothing_and_the_next_one_works(desk):
    assert desk.get("/healthz").status_code == 200
    pid = _backend_pid()

    def drop_on_audit_write(execute, sql, params, many, context):
        if sql.startswith("INSERT") and "audit_auditentry" in sql:
            _terminate(pid)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(drop_on_audit_write):
        failed = _search(desk)  # the search runs, then the connection drops as it writes its audit entry

    assert failed.status_code == 503 and failed.headers["Retry-After"] == "5"
    assert b"Nothing was saved" in failed.content
    response = _search(desk)
    assert response.status_code == 200 and b"Restartson" in response.content
    assert AuditEntry.objects.filter(action="patient.search").count() == 1  # only the second search
    assert chain_verify().ok
