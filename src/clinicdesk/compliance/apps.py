from django.apps import AppConfig


class ComplianceConfig(AppConfig):
    """Compliance: incidents, complaints and grievances,
    patient rights requests and the accounting of disclosures, breaches (issue #21)"""

    name = "clinicdesk.compliance"
    label = "compliance"

    def ready(self) -> None:
        from clinicdesk.patients import hooks as patient_hooks

        from . import merge

        patient_hooks.subscribe("compliance", merge.move_patient_rows, handles=merge.MERGE_HANDLES)
