from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "clinicdesk.ops"
    label = "ops"
    verbose_name = "Operations"
