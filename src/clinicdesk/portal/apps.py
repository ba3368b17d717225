from django.apps import AppConfig


class PortalConfig(AppConfig):
    """The patient portal and the waiting-room kiosk: patients sign in without a password
    and act for themselves (issue #23)"""

    name = "clinicdesk.portal"
    label = "portal"

    def ready(self) -> None:
        from clinicdesk.patients import hooks as patient_hooks

        from . import merge

        patient_hooks.subscribe("portal", merge.move_patient_rows, handles=merge.MERGE_HANDLES)
