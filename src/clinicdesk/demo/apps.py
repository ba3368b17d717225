from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "clinicdesk.demo"
    label = "demo"
