from django.apps import AppConfig


class OperationsConfig(AppConfig):
    """The practice's back office: supplies, purchasing, budgets (issue #21). Not `ops`, which runs the server
    (backup, restore)."""

    name = "clinicdesk.operations"
    label = "operations"
