from django.apps import AppConfig


class CorrespondenceConfig(AppConfig):
    """Letters and messages written by staff, incoming mail, workshops and outreach (issue #24)"""

    name = "clinicdesk.correspondence"
    label = "correspondence"
