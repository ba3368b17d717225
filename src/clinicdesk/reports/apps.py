from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "clinicdesk.reports"
    label = "reports"
