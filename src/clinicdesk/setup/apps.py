from django.apps import AppConfig


class SetupConfig(AppConfig):
    name = "clinicdesk.setup"
    label = "setup"
    verbose_name = "Setup"
    default_auto_field = "django.db.models.BigAutoField"
