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
