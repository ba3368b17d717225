from django.apps import AppConfig


class ComplianceConfig(AppConfig):
    """Compliance: incidents, complaints and grievances,
    patient rights requests and the accounting of disclosures, breaches, the compliance calendar, OSHA, the HIPAA
    program and the policy manual (issue #21)"""

    name = "clinicdesk.compliance"
    label = "compliance"

    def ready(self) -> None:
        from clinicdesk.core import periodic
        from clinicdesk.patients import hooks as patient_hooks

        from . import merge, tasks

        patient_hooks.subscribe("compliance", merge.move_patient_rows, handles=merge.MERGE_HANDLES)
        periodic.register("escalate-overdue-duties", every_seconds=3600, enqueue=tasks.escalate_overdue_duties.enqueue)
        periodic.register("remind-policy-acknowledgements", every_seconds=24 * 3600,
                          enqueue=tasks.remind_policy_acknowledgements.enqueue)
