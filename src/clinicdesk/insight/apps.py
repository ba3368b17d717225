from django.apps import AppConfig


class InsightConfig(AppConfig):
    name = "clinicdesk.insight"
    label = "insight"
