from django.apps import AppConfig


class FhirConfig(AppConfig):
    name = "clinicdesk.interop.fhir"
    label = "fhir"
    verbose_name = "FHIR R4 API"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from clinicdesk.patients import hooks as patient_hooks
        from clinicdesk.scheduling import hooks as schedule_hooks

        from . import history

        # Versions are stored when a resource changes, whichever face changed it (history.py); never on a read.
        if history.on_patient_changed not in patient_hooks.patient_changed:
            patient_hooks.patient_changed.append(history.on_patient_changed)
        if history.on_status_changed not in schedule_hooks.status_changed:
            schedule_hooks.status_changed.append(history.on_status_changed)
        if history.on_appointment_changed not in schedule_hooks.appointment_changed:
            schedule_hooks.appointment_changed.append(history.on_appointment_changed)
        patient_hooks.subscribe("fhir", history.on_patient_merged, handles=())
