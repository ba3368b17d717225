from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "clinicdesk.core"
    label = "core"

    def ready(self) -> None:
        from . import periodic, rate_counter, task_queue

        # Cheap statements the ticker runs itself: a queue whose worker died cannot be trusted to run them.
        periodic.register("requeue-stalled-tasks", every_seconds=300, enqueue=task_queue.tasks_requeue_stalled)
        periodic.register("prune-finished-tasks", every_seconds=24 * 3600, enqueue=task_queue.tasks_prune_finished)
        periodic.register("prune-rate-counters", every_seconds=3600, enqueue=rate_counter.rate_counters_prune)
