from django.apps import AppConfig


class StaffingConfig(AppConfig):
    name = "clinicdesk.staffing"
    label = "staffing"

    def ready(self) -> None:
        from clinicdesk.core import periodic

        from . import tasks

        # Training expiry reminders (60, 30, 7 days ahead): once a day; each step is sent once per record.
        periodic.register("remind-expiring-trainings", every_seconds=24 * 3600,
                          enqueue=tasks.remind_expiring_trainings.enqueue)
