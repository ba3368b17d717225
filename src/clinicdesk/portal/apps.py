from django.apps import AppConfig


class PortalConfig(AppConfig):
    """The patient portal and the waiting-room kiosk: patients sign in without a password
    and act for themselves (issue #23)"""

    name = "clinicdesk.portal"
    label = "portal"
