from django.apps import AppConfig


class InsightConfig(AppConfig):
    name = "clinicdesk.insight"
    label = "insight"

    def ready(self) -> None:
        # The dashboards' daily counts follow the schedule (insight/dashboards/rollup.py).
        from clinicdesk.scheduling import hooks as schedule_hooks

        from .dashboards import rollup

        if rollup.on_status_changed not in schedule_hooks.status_changed:
            schedule_hooks.status_changed.append(rollup.on_status_changed)
        if rollup.on_appointment_changed not in schedule_hooks.appointment_changed:
            schedule_hooks.appointment_changed.append(rollup.on_appointment_changed)
        if rollup.on_slot_freed not in schedule_hooks.slot_freed:
            schedule_hooks.slot_freed.append(rollup.on_slot_freed)
        # The no-show risk band on the calendar (insight/schedule_badges.py).
        from .schedule_badges import calendar_risk

        if calendar_risk not in schedule_hooks.appointment_badges:
            schedule_hooks.appointment_badges.append(calendar_risk)

        from clinicdesk.core import periodic

        from . import tasks

        # Once a day (the worker's clock): the last week counted again (insight.tasks.recount_recent_days).
        periodic.register("recount-dashboard-days", every_seconds=24 * 3600, enqueue=tasks.recount_recent_days.enqueue)
        # Every five minutes: the new-patient lead time searched ahead of the dashboards (dashboards/lead_time.py).
        periodic.register("refresh-lead-times", every_seconds=300, enqueue=tasks.refresh_lead_times.enqueue)
        # The demand forecast: looked at hourly, computed when the stored one is a week old (or missing).
        from .forecast.compute import forecast_is_stale

        periodic.register("demand-forecast", every_seconds=3600, enqueue=tasks.compute_demand_forecast.enqueue,
                          is_due=forecast_is_stale)
        # The scheduled reports: looked at every five minutes (insight.tasks.send_due_reports).
        periodic.register("scheduled-reports", every_seconds=300, enqueue=tasks.send_due_reports.enqueue)
