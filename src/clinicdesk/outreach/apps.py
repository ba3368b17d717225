from django.apps import AppConfig


class OutreachConfig(AppConfig):
    """Health-education workshops, community events and outreach campaigns (issue #24)"""

    name = "clinicdesk.outreach"
    label = "outreach"
