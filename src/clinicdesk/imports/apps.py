from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "clinicdesk.imports"
    label = "imports"
