import json


def test_api_answers_problem_details_when_not_signed_in(client, db):
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert json.loads(response.content)["title"] == "Not signed in"


def test_unknown_api_path_answers_problem_details(client, db):
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"


def test_domain_error_in_json_is_problem_details(signed_in, location):
    from clinicdesk.core.permissions import Role

    billing = signed_in(Role.BILLING)
    response = billing.get("/audit/", HTTP_ACCEPT="application/json")
    assert response.status_code == 403
    body = json.loads(response.content)
    assert body["code"] == "forbidden" and body["status"] == 403


def test_unknown_page_is_a_clear_html_404(signed_in):
    response = signed_in().get("/no/such/page/")
    assert response.status_code == 404
    assert b"There is nothing at this address" in response.content


def test_security_headers_forbid_inline_script_and_framing(client, db):
    response = client.get("/accounts/login/")
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"


def test_bad_audit_filter_is_refused_with_a_message(signed_in):
    from clinicdesk.core.permissions import Role

    officer = signed_in(Role.COMPLIANCE)
    response = officer.post("/audit/", {"start": "2026-02-10", "end": "2026-01-01"})
    assert response.status_code == 422
    assert b"end date is before the start date" in response.content


def test_a_lost_database_answers_503_without_touching_it_again(client, db, monkeypatch):
    from django.db import OperationalError, connection

    def gone(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    with monkeypatch.context() as patched:
        patched.setattr(connection, "cursor", gone)
        page = client.get("/healthz", HTTP_ACCEPT="text/html")
        api = client.get("/healthz", HTTP_ACCEPT="application/json")
    assert page.status_code == 503 and page.headers["Retry-After"] == "5"
    assert b"Nothing was saved" in page.content
    assert api.status_code == 503 and api.json()["title"] == "Temporarily unavailable"


def test_a_database_error_is_logged_by_class_and_sqlstate_never_by_its_message(rf, caplog):
    import psycopg
    from django.db import OperationalError

    from clinicdesk.core.middleware import DomainErrorMiddleware

    try:
        try:
            raise psycopg.errors.DeadlockDetected("deadlock detected DETAIL: key (family_name)=(Quillfeather)")
        except psycopg.Error as driver_error:
            raise OperationalError(str(driver_error)) from driver_error
    except OperationalError as error:
        wrapped = error
    request = rf.get("/patients/1234/")
    with caplog.at_level("ERROR", logger="clinicdesk.core.middleware"):
        response = DomainErrorMiddleware(lambda r: None).process_exception(request, wrapped)
    assert response is not None and response.status_code == 503
    assert "psycopg.errors.DeadlockDetected sqlstate=40P01 GET" in caplog.text
    assert "Quillfeather" not in caplog.text and "1234" not in caplog.text
