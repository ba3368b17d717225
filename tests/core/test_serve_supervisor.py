"""`clinicdesk serve` keeps its worker and ticker alive and stops (non-zero) when the web server dies."""

import sys
import threading

from clinicdesk.core.management.commands.serve import Supervisor


def test_a_helper_that_exits_is_restarted_and_a_dead_web_server_stops_everything(tmp_path):
    starts = tmp_path / "starts"
    helper = [sys.executable, "-c", f"open({str(starts)!r}, 'a').write('x')"]  # exits at once, every time
    web = [sys.executable, "-c", "import time; time.sleep(2.5)"]  # the web server dies after 2.5 s
    logged: list[str] = []
    supervisor = Supervisor(web=web, helpers=[helper], log=logged.append)
    assert supervisor.run() == 1
    assert len(starts.read_text()) >= 2  # started, exited, restarted after its pause
    assert "restarting in 1 s" in logged[0] and "web server exited" in logged[-1]


def test_stopping_ends_every_process_with_success(tmp_path):
    web = [sys.executable, "-c", "import time; time.sleep(60)"]
    helper = [sys.executable, "-c", "import time; time.sleep(60)"]
    supervisor = Supervisor(web=web, helpers=[helper], log=print)
    threading.Timer(1.0, supervisor._ask_to_stop).start()
    assert supervisor.run() == 0


def test_make_run_prints_every_demo_login_of_the_readme_provider1_included(db):
    import io

    from clinicdesk.core.management.commands.serve import Command
    from clinicdesk.core.permissions import Role
    from tests.factories import UserFactory

    for username, role in [("frontdesk1", Role.FRONT_DESK), ("provider1", Role.PROVIDER), ("sysadmin1", Role.SYSADMIN)]:
        UserFactory(username=username, role=role)
    out = io.StringIO()
    Command(stdout=out)._print_logins()
    assert "provider1" in out.getvalue() and "frontdesk1" in out.getvalue()


def test_the_web_server_shares_no_control_socket_with_other_instances():
    from gunicorn.config import Config

    from clinicdesk.core.management.commands.serve import gunicorn_command

    command = gunicorn_command(sys.executable, bind="127.0.0.1:8001", workers=2)
    config = Config()
    config.set("control_socket_disable", False)
    parsed = config.parser().parse_args(command[command.index("clinicdesk.wsgi:application"):])
    assert parsed.control_socket_disable is True  # gunicorn 27's option; no ~/.gunicorn/gunicorn.ctl shared


def test_serve_warns_loudly_when_the_app_owns_the_audit_table(monkeypatch):
    import io

    from clinicdesk.audit import checks
    from clinicdesk.core.management.commands.serve import Command

    monkeypatch.setattr(checks, "audit_table_owner_problem", lambda: "the app connects as clinic, which owns it")
    err = io.StringIO()
    Command(stderr=err)._warn_if_audit_owner()
    assert "WARNING: the audit trail is not protected" in err.getvalue()
    monkeypatch.setattr(checks, "audit_table_owner_problem", lambda: "")
    quiet = io.StringIO()
    Command(stderr=quiet)._warn_if_audit_owner()
    assert quiet.getvalue() == ""
