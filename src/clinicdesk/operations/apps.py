from django.apps import AppConfig


class OperationsConfig(AppConfig):
    """The practice's back office: supplies, purchasing, budgets (issue #21). Not `ops`, which runs the server
    (backup, restore)."""

    name = "clinicdesk.operations"
    label = "operations"

    def ready(self) -> None:
        from clinicdesk.scheduling import hooks as schedule_hooks

        from .hooks import on_status_changed

        if on_status_changed not in schedule_hooks.status_changed:
            schedule_hooks.status_changed.append(on_status_changed)
