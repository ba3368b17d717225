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

        from clinicdesk.core import periodic

        from . import statement_merge, statement_tasks  # statements (#19): the cycle runs on the practice's day

        patient_hooks.subscribe("billing", statement_merge.move_patient_rows, handles=statement_merge.MERGE_HANDLES)

        periodic.register("statement-cycle", every_seconds=6 * 3600,
                          enqueue=statement_tasks.run_statement_cycle.enqueue)
