from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "clinicdesk.audit"
    label = "audit"
    verbose_name = "Audit trail"

    def ready(self) -> None:
        from clinicdesk.core import hooks

        from .services import record_denial

        hooks.record_denial = record_denial
