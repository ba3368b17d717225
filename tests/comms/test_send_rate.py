"""Messages are sent at the channel's rate limit (#24 speed: "sent at the channel's rate limit"): the outbox worker
paces each channel to COMMS_RATE_SMS / COMMS_RATE_EMAIL sends a second, through the real SMS test gateway."""

import pytest

from clinicdesk.comms import delivery
from clinicdesk.comms.compose import compose_send, new_batch
from clinicdesk.core.permissions import Role
from tests.factories import PatientFactory

pytestmark = pytest.mark.django_db


def test_texts_go_out_no_faster_than_the_channels_rate(location, make_user, sms_gateway, settings, monkeypatch,
                                                        clock):
    settings.COMMS_RATE_SMS = 5  # five a second: one every 0.2 s
    pauses: list[float] = []
    ticks = [1000.0]  # the worker's own clock, moved only by its pauses

    def pause(seconds: float) -> None:
        pauses.append(round(seconds, 6))
        ticks[0] += seconds

    monkeypatch.setattr(delivery, "pause", pause)  # count the waits instead of sleeping
    monkeypatch.setattr(delivery, "monotonic", lambda: ticks[0])
    monkeypatch.setattr(delivery, "_PACERS", {})
    patients = [PatientFactory(home_location=location, phone=f"(413) 555-02{n:02d}", sms_opt_in=True)
                for n in range(5)]
    compose_send(actor=make_user(Role.PATIENT_COORDINATOR), patient_ids=[p.pk for p in patients], channel="sms",
                 batch=new_batch(), body="The clinic opens at 9 tomorrow.")
    assert delivery.messages_send_due() == 5 and len(sms_gateway.sent) == 5
    assert pauses == [0.2, 0.2, 0.2, 0.2]  # the first at once, then one every 0.2 s
