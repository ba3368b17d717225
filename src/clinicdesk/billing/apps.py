from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "clinicdesk.billing"
    label = "billing"
    verbose_name = "Billing"

    def ready(self) -> None:
        from clinicdesk.patients import hooks as patient_hooks

        from . import merge

        patient_hooks.subscribe("billing", merge.move_patient_rows, handles=merge.MERGE_HANDLES)
        patient_hooks.subscribe_coverage_replaced("billing", merge.repoint_coverages,
                                                  handles=merge.COVERAGE_HANDLES)
