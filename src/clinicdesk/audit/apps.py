from django.apps import AppConfig
from django.conf import settings
from django.db.models.signals import post_migrate


class AuditConfig(AppConfig):
    name = "clinicdesk.audit"
    label = "audit"
    verbose_name = "Audit trail"

    def ready(self) -> None:
        from clinicdesk.core import hooks, periodic

        from . import checks  # noqa: F401 (registers clinicdesk.W010)
        from .anchor import anchor_new_database, anchor_tick
        from .services import record_denial, seal_quietly

        hooks.record_denial = record_denial
        # The chain's end goes to the audit anchor file: cheap (one query, one line), run by the ticker itself
        # so that it does not depend on a worker.
        periodic.register("anchor-audit-chain", every_seconds=getattr(settings, "AUDIT_ANCHOR_SECONDS", 300),
                          enqueue=anchor_tick)
        # Entries are sealed after each commit; the ticker seals what a crashed process left (ADR 0007).
        periodic.register("seal-audit-chain", every_seconds=getattr(settings, "AUDIT_SEAL_SECONDS", 15),
                          enqueue=seal_quietly)
        post_migrate.connect(anchor_new_database, sender=self, dispatch_uid="clinicdesk.audit.anchor_new_database")
