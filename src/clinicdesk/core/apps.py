from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "clinicdesk.core"
    label = "core"
