from django.apps import AppConfig


class StaffingConfig(AppConfig):
    name = "clinicdesk.staffing"
    label = "staffing"
