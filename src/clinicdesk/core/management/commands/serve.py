"""`clinicdesk serve`: what `make run` starts. Migrates, loads the demo practice into an empty
database, then runs the background worker and the production web server until Ctrl-C."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Set up the database and serve Clinicdesk with gunicorn and the background worker."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "3")))
        parser.add_argument("--demo-patients", type=int, default=int(os.environ.get("DEMO_PATIENTS", "2000")))
        parser.add_argument("--demo-weeks", type=int, default=4)
        parser.add_argument("--no-demo", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        call_command("createcachetable", verbosity=0)
        if not options["no_demo"] and not settings.HTTPS:  # never seed demo logins into a production database
            call_command("demo", patients=options["demo_patients"], weeks=options["demo_weeks"], seed=1,
                         if_empty=True)
        self._print_logins()
        self._print_setup_token()
        self._warn_if_audit_owner()
        python = sys.executable
        helpers: list[list[str]] = []  # restarted when they exit: a worker exits when the database is unreachable
        if settings.TASK_BACKEND == "database":
            helpers.append([python, "-m", "clinicdesk", "db_worker", "--queue-name", "*"])
        elif settings.TASK_BACKEND == "redis":
            helpers.append([python, "-m", "clinicdesk", "rqworker", "--job-class", "django_tasks_rq.backend.Job",
                            "default", "reminders"])
        if settings.TASK_BACKEND != "immediate":  # due reminders, recalls, triage escalation
            helpers.append([python, "-m", "clinicdesk", "tick"])
        bind = f"127.0.0.1:{settings.PORT}" if not os.environ.get("BIND") else os.environ["BIND"]
        web = gunicorn_command(python, bind=bind, workers=options["workers"])
        supervisor = Supervisor(web=web, helpers=helpers, log=self.stderr.write)
        self.stdout.write(self.style.SUCCESS(f"Clinicdesk is serving on http://{bind}/  (Ctrl-C stops it)"))
        sys.exit(supervisor.run())

    def _print_logins(self) -> None:
        from clinicdesk.accounts.models import User
        from clinicdesk.demo.builder import DEMO_PASSWORD

        wanted = ["frontdesk1", "patientcoordinator1", "practicecoordinator1", "billing1", "nurse1", "provider1",
                  "compliance1", "sysadmin1"]
        found = list(User.objects.filter(username__in=wanted).order_by("role").values_list("username", "role"))
        if found:
            self.stdout.write(f"Demo logins (password: {DEMO_PASSWORD}):")
            for username, role in found:
                note = f"  (two-factor: see 'clinicdesk demo_totp {username}')" \
                    if role in ("compliance", "sysadmin") else ""
                self.stdout.write(f"  {username:<22} {role}{note}")

    def _print_setup_token(self) -> None:
        """No staff user yet (a --no-demo or production start): print a one-time token for the first-run page."""
        from clinicdesk.setup.services import setup_token_banner

        banner = setup_token_banner(base_url=settings.PUBLIC_BASE_URL)
        if banner:
            self.stdout.write(self.style.WARNING(banner))

    def _warn_if_audit_owner(self) -> None:
        """On PostgreSQL, an app connected as the audit table's owner (or a superuser) could switch off its
        append-only triggers: say so loudly (the same finding as `clinicdesk check --deploy`, W010)."""
        from clinicdesk.audit.checks import audit_table_owner_problem

        problem = audit_table_owner_problem()
        if problem:
            line = "!" * 78
            self.stderr.write(self.style.ERROR(
                f"{line}\nWARNING: the audit trail is not protected: {problem}.\n"
                "Run the app as a role with only SELECT and INSERT on audit_auditentry; see docs/operations.md, "
                f"\"The audit table's owner\".\n{line}"))


def gunicorn_command(python: str, *, bind: str, workers: int) -> list[str]:
    """The web server's command line. No control socket: gunicorn's default is one path per user
    (~/.gunicorn/gunicorn.ctl), which two instances on one host would share and take from each other."""
    return [python, "-m", "gunicorn", "clinicdesk.wsgi:application", "--bind", bind,
            "--workers", str(workers), "--no-control-socket", "--access-logfile", "-",
            "--access-logformat", '%(h)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms']  # path only, never the query string


class Supervisor:
    """Runs gunicorn and the helpers (worker, ticker). A helper that exits is restarted after a pause that
    grows while it keeps failing (e.g. while PostgreSQL restarts); if gunicorn exits, everything stops and
    serve exits non-zero, so that a service manager restarts it. SIGINT/SIGTERM stop everything cleanly."""

    MAX_PAUSE = 30.0

    def __init__(self, *, web: list[str], helpers: list[list[str]], log: Any) -> None:
        self.web_cmd, self.helper_cmds, self.log = web, helpers, log
        self.stopping = False

    def run(self) -> int:
        previous = {sig: signal.signal(sig, self._ask_to_stop) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            return self._supervise()
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def _supervise(self) -> int:
        helpers = [subprocess.Popen(cmd) for cmd in self.helper_cmds]
        started = [time.monotonic()] * len(helpers)
        pauses = [1.0] * len(helpers)
        restart_at: list[float | None] = [None] * len(helpers)
        web = subprocess.Popen(self.web_cmd)
        code = 0
        while not self.stopping:
            if web.poll() is not None:
                self.log(f"The web server exited with code {web.returncode}; stopping.")
                code = 1
                break
            now = time.monotonic()
            for index, child in enumerate(helpers):
                if child.poll() is None:
                    continue
                if restart_at[index] is None:
                    if now - started[index] > 60:  # it had been running fine: back to a short pause
                        pauses[index] = 1.0
                    self.log(f"{' '.join(self.helper_cmds[index][2:4])} exited with code {child.returncode}; "
                             f"restarting in {pauses[index]:.0f} s.")
                    restart_at[index] = now + pauses[index]
                    pauses[index] = min(self.MAX_PAUSE, pauses[index] * 2)
                elif now >= (restart_at[index] or 0):
                    helpers[index], restart_at[index] = subprocess.Popen(self.helper_cmds[index]), None
                    started[index] = now
            time.sleep(0.5)
        self._stop([web, *helpers])
        return code

    def _ask_to_stop(self, *_: Any) -> None:
        self.stopping = True

    @staticmethod
    def _stop(children: list[subprocess.Popen]) -> None:
        for child in children:
            if child.poll() is None:
                child.terminate()
        deadline = time.monotonic() + 10
        for child in children:
            try:
                child.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.kill()
