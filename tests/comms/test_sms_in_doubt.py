"""A text handed to the SMS gateway whose result was never recorded is "in doubt": it is not sent again, even
by a gateway that ignores the idempotency token, and it reaches the worklist for a person to check (the same
rule as e-mail: tests/comms/test_worker_restart.py)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings

from clinicdesk.comms import delivery
from clinicdesk.comms.channels import HttpSmsGateway, Outgoing, sms_gateway
from clinicdesk.comms.models import Channel, Kind, Message, MessageEvent, Status
from clinicdesk.comms.services import message_queue
from clinicdesk.core.permissions import Role


class WorkerKilled(BaseException):
    """Stands for the worker process dying: nothing after it runs, not even an `except Exception`."""


class DiesAfterHandingOver:
    """The real gateway client; the worker dies once the gateway has taken the text, before the result is
    recorded."""

    def __init__(self) -> None:
        self.real = sms_gateway()

    def send(self, outgoing: Outgoing) -> str:
        self.real.send(outgoing)
        raise WorkerKilled


def _text(patient, key: str) -> Message:
    return message_queue(patient=patient, kind=Kind.RECALL, channel=Channel.SMS, dedupe_key=key,
                         values={"appointment_name": "Annual check-up", "phone": "(413) 555-0100"})


@pytest.mark.parametrize("honour_token", [False, True], ids=["gateway-ignores-token", "gateway-honours-token"])
def test_a_text_handed_over_before_the_worker_died_is_not_sent_again(location, reachable_patient, sms_gateway,
                                                                     clock, signed_in, honour_token):
    sms_gateway.honour_token = honour_token
    message = _text(reachable_patient, "crash-1")
    with pytest.raises(WorkerKilled):
        delivery.messages_send_due(gateway=DiesAfterHandingOver())
    message.refresh_from_db()
    assert message.status == Status.SENDING and message.handed_to_provider_at is not None  # committed before

    clock.advance(dt.timedelta(seconds=settings.COMMS_LEASE_SECONDS + 1))  # the dead worker's lease expires
    delivery.messages_send_due()  # the restarted sender, with the real gateway client
    delivery.messages_send_due()

    assert len(sms_gateway.posts) == 1, "the patient got the text twice"
    message.refresh_from_db()
    assert message.status == Status.FAILED and message.last_error == delivery.IN_DOUBT
    assert MessageEvent.objects.filter(message=message, status=Status.FAILED, detail__startswith="in doubt").exists()
    page = signed_in(Role.FRONT_DESK, at=location).get("/messages/attention/")
    assert reachable_patient.display_name.encode() in page.content and b"in doubt" in page.content.lower()


def test_a_text_the_gateway_took_without_answering_in_time_is_not_retried(location, reachable_patient,
                                                                          sms_gateway, clock):
    sms_gateway.honour_token = False
    sms_gateway.delay = 1.0
    impatient = HttpSmsGateway(base_url=settings.SMS_GATEWAY_URL, account_sid=settings.SMS_ACCOUNT_SID,
                               auth_token=settings.SMS_AUTH_TOKEN, sender=settings.SMS_FROM, timeout=0.2)
    message = _text(reachable_patient, "timeout-1")
    delivery.messages_send_due(gateway=impatient)  # ReadTimeout: the gateway has the text, no answer came
    sms_gateway.delay = 0.0
    clock.advance(dt.timedelta(hours=6))  # past every back-off
    delivery.messages_send_due()

    assert len(sms_gateway.posts) == 1
    message.refresh_from_db()
    assert message.status == Status.FAILED and message.last_error == delivery.IN_DOUBT


def test_a_text_never_handed_over_is_still_sent_after_a_crash(location, reachable_patient, sms_gateway, clock):
    message = _text(reachable_patient, "crash-2")
    delivery.messages_claim(limit=10)  # claimed, then the worker died before handing anything over
    clock.advance(dt.timedelta(seconds=settings.COMMS_LEASE_SECONDS + 1))
    delivery.messages_send_due()
    assert len(sms_gateway.posts) == 1
    message.refresh_from_db()
    assert message.status == Status.SENT


def test_a_gateway_that_cannot_be_reached_is_retried(location, reachable_patient, clock, settings):
    from .conftest import free_port

    settings.SMS_GATEWAY_URL = f"http://127.0.0.1:{free_port()}"  # nothing listens: the request never left
    message = _text(reachable_patient, "unreachable-1")
    delivery.messages_send_due()
    message.refresh_from_db()
    assert message.status == Status.QUEUED and message.last_error.startswith("gateway unreachable")
