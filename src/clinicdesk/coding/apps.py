from django.apps import AppConfig


class CodingConfig(AppConfig):
    """Code sets (ICD-10-CM, HCPCS), the practice's fee schedule and the coded visit (superbill) (issue #19)"""

    name = "clinicdesk.coding"
    label = "coding"
