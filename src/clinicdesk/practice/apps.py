from django.apps import AppConfig


class PracticeConfig(AppConfig):
    name = "clinicdesk.practice"
    label = "practice"
