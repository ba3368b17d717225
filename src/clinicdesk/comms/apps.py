from django.apps import AppConfig


class CommsConfig(AppConfig):
    name = "clinicdesk.comms"
    label = "comms"
    verbose_name = "Patient communications"

    def ready(self) -> None:
        from clinicdesk.core import periodic
        from clinicdesk.scheduling import hooks

        from . import delivery, tasks

        def on_change(event: hooks.AppointmentEvent) -> None:
            tasks.plan_reminders.enqueue(event.appointment_id)
            if event.status == "noshow":
                tasks.no_show_follow_up.enqueue(event.appointment_id)

        def on_freed(slot: hooks.FreedSlot) -> None:
            if slot.reason in ("cancelled", "rescheduled", "entered-in-error"):
                tasks.offer_freed_slot.enqueue(slot.appointment_id, slot.practitioner_id, slot.location_id,
                                               slot.appointment_type_id, slot.start.isoformat(), slot.end.isoformat())

        hooks.appointment_changed.append(on_change)
        hooks.slot_freed.append(on_freed)
        periodic.register("send-due-messages", every_seconds=0, enqueue=tasks.send_due_messages.enqueue,
                          is_due=delivery.messages_due_exist)
        periodic.register("notify-due-recalls", every_seconds=3600, enqueue=tasks.notify_due_recalls.enqueue)
        periodic.register("plan-missed-reminders", every_seconds=600, enqueue=tasks.plan_missed_reminders.enqueue)
        from django.conf import settings

        periodic.register("fetch-incoming-mail", every_seconds=settings.INCOMING_IMAP_EVERY,
                          enqueue=tasks.fetch_incoming_mail.enqueue)

        from clinicdesk.patients import hooks as patient_hooks

        from . import merge

        patient_hooks.subscribe("comms", merge.move_patient_rows, handles=merge.MERGE_HANDLES)
