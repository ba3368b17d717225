"""What the HTTP benches share: gunicorn started as `clinicdesk serve` starts it, for one code tree (the working
tree, or a `git worktree` of an earlier commit), with that tree's code on PYTHONPATH, so two trees can be measured
in one run, rounds alternating between them. Used by bench_fhir_booking_http.py and bench_search_http.py."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON = str(ROOT / ".venv" / "bin" / "python")
PG = "postgres://postgres@127.0.0.1:5432"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def tree_env(path: Path, database_url: str, *, name: str, **extra: str) -> dict[str, str]:
    """The environment a tree's processes run with: its own code, the given database, a scratch var directory,
    rate limits off (a bench is one client address sending hundreds of requests), no Redis (the database cache and
    the database task backend, as a plain `serve` on PostgreSQL runs)."""
    env = {**os.environ, "DATABASE_URL": database_url, "STATIC_ROOT": f"/tmp/bench-static-{name}",
           "PYTHONPATH": str(path.resolve() / "src"),
           "DJANGO_SETTINGS_MODULE": "clinicdesk.settings",
           "CLINICDESK_VAR": tempfile.mkdtemp(prefix=f"bench-{name}-"),
           "RATELIMIT_FHIR": "off", "RATELIMIT_OAUTH": "off", "RATELIMIT_SIGN_IN": "off", "DEBUG": "false",
           "LOG_LEVEL": "WARNING", "TASK_BACKEND": "database", **extra}
    env.pop("REDIS_URL", None)
    return env


class Gunicorn:
    """gunicorn with `workers` sync workers on a free local port, the command line of serve's `gunicorn_command`
    (no control socket; the access log goes nowhere)."""

    def __init__(self, path: Path, env: dict[str, str], workers: int = 3, *, static: bool = True) -> None:
        self.path, self.env, self.workers, self.static = path.resolve(), env, workers, static
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        """Collect the tree's static files (pages with DEBUG off need the manifest; `static=False` for a bench of
        JSON only), then start gunicorn and wait until every worker answers."""
        import httpx

        if self.static:
            subprocess.run([PYTHON, "-m", "clinicdesk", "collectstatic", "--noinput", "-v0"], env=self.env,
                       cwd=self.path, check=True)
        self.process = subprocess.Popen(
            [PYTHON, "-m", "gunicorn", "clinicdesk.wsgi:application", "--bind", f"127.0.0.1:{self.port}",
             "--workers", str(self.workers), "--no-control-socket"], env=self.env, cwd=self.path,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        ready = 0
        for _ in range(600):  # every worker answers (on a loaded machine they take a while to boot)
            if self.process.poll() is not None:
                raise SystemExit(f"gunicorn in {self.path} exited with {self.process.returncode}")
            try:
                ready = ready + 1 if httpx.get(f"{self.base}/healthz", timeout=30).status_code == 200 else 0
            except httpx.HTTPError:
                ready = 0
            if ready >= 3 * self.workers:
                return
            time.sleep(0.2)
        raise SystemExit(f"gunicorn in {self.path} did not answer")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=30)


def load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f}"
