from django.apps import AppConfig


class ComplianceConfig(AppConfig):
    """Compliance: incidents, complaints and grievances,
    patient rights requests and the accounting of disclosures, breaches (issue #21)"""

    name = "clinicdesk.compliance"
    label = "compliance"
