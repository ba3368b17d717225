from clinicdesk.core import periodic


def test_apps_register_their_housekeeping():
    assert {"send-due-messages", "notify-due-recalls", "plan-missed-reminders", "escalate-triage-slips"} <= set(
        periodic.JOBS)


def test_run_due_honours_each_jobs_interval_and_due_check(monkeypatch):
    calls: list[str] = []
    monkeypatch.setattr(periodic, "JOBS", {})
    periodic.register("hourly", every_seconds=3600, enqueue=lambda: calls.append("hourly"))
    periodic.register("when-due", every_seconds=0, enqueue=lambda: calls.append("when-due"), is_due=lambda: False)
    assert periodic.run_due(1000.0) == ["hourly"]
    assert periodic.run_due(2000.0) == []
    assert periodic.run_due(4600.0) == ["hourly"]
    assert calls == ["hourly", "hourly"]
