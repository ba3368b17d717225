from django.apps import AppConfig


class OutreachConfig(AppConfig):
    """Health-education workshops, community events and outreach campaigns (issue #24)"""

    name = "clinicdesk.outreach"
    label = "outreach"

    def ready(self) -> None:
        from clinicdesk.core import periodic
        from clinicdesk.patients import hooks as patient_hooks

        from . import merge, tasks

        # Reminders the day before and survey links after the event; hourly, so that a contact held by quiet
        # hours is tried again in the morning.
        periodic.register("send-event-reminders", every_seconds=3600, enqueue=tasks.send_event_reminders.enqueue)
        periodic.register("send-event-surveys", every_seconds=3600, enqueue=tasks.send_event_surveys.enqueue)
        patient_hooks.subscribe("outreach", merge.move_patient_rows, handles=merge.MERGE_HANDLES)
