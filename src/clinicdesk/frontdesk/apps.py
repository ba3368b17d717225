from django.apps import AppConfig


class FrontdeskConfig(AppConfig):
    name = "clinicdesk.frontdesk"
    label = "frontdesk"
    verbose_name = "Front desk"

    def ready(self) -> None:
        from clinicdesk.core import periodic
        from clinicdesk.scheduling import hooks

        from . import services, tasks

        def on_change(event: hooks.AppointmentEvent) -> None:
            if event.status == "noshow":
                tasks.create_no_show_task.enqueue(event.appointment_id)

        hooks.appointment_changed.append(on_change)
        # Inside the status move's transaction: the visit follows arrived / checked-in from every face.
        hooks.status_changed.append(services.visit_follow_appointment)
        periodic.register("escalate-triage-slips", every_seconds=60, enqueue=tasks.escalate_triage_slips.enqueue)

        from clinicdesk.patients import hooks as patient_hooks

        from . import merge

        patient_hooks.subscribe("frontdesk", merge.move_patient_rows, handles=merge.MERGE_HANDLES)
