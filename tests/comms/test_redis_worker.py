"""The scale-out path: tasks through a real Redis to an RQ worker."""

import os

import pytest
import redis

from clinicdesk.comms.models import Channel, Kind, Message, Status
from clinicdesk.comms.services import message_queue

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture
def redis_queues(settings):
    connection = redis.Redis.from_url(REDIS_URL)
    try:
        connection.ping()
    except redis.RedisError:
        if os.environ.get("CI"):
            pytest.fail(f"Redis is not reachable at {REDIS_URL} and CI is set.")
        pytest.skip(f"Redis is not reachable at {REDIS_URL}")
    connection.flushdb()
    settings.RQ_QUEUES = {name: {"URL": REDIS_URL} for name in ("default", "reminders")}
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default", "reminders"]}}
    yield connection
    connection.flushdb()


@pytest.mark.django_db(transaction=True)
def test_messages_go_out_through_redis_and_an_rq_worker(redis_queues, smtp_server, reachable_patient, clock):
    import django_rq
    from django_tasks_rq.backend import Job
    from rq import SimpleWorker

    message = message_queue(patient=reachable_patient, kind=Kind.RECALL, channel=Channel.EMAIL, dedupe_key="redis-1",
                            values={"appointment_name": "Annual check-up", "phone": "(413) 555-0100"})
    queue = django_rq.get_queue("reminders", job_class=Job)
    assert queue.count == 1  # the wake-up task waits in Redis, not in this process
    assert Message.objects.get(pk=message.pk).status == Status.QUEUED

    SimpleWorker([queue], connection=queue.connection, job_class=Job).work(burst=True)

    assert Message.objects.get(pk=message.pk).status == Status.SENT
    assert [mail["To"] for mail in smtp_server.messages] == ["ana@example.org"]
