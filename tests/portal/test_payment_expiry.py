"""Online checkouts never finished expire (issue #23, item 4): by the periodic task and when the patient comes
back; a late "paid" webhook for an expired checkout is still posted (the provider took the money), a late failure
changes nothing. The fake provider's page follows the app's language and closes at the checkout's expiry."""

from __future__ import annotations

import datetime as dt
import time
import urllib.error
import urllib.request
from decimal import Decimal

import pytest
from django.core.cache import cache

from clinicdesk.audit.models import AuditEntry
from clinicdesk.billing import services as billing
from clinicdesk.billing.models import LedgerEntry
from clinicdesk.core import periodic
from clinicdesk.core.permissions import Role
from clinicdesk.portal import tasks
from clinicdesk.portal.fake_gateway import FakeGateway
from clinicdesk.portal.models import OnlinePayment
from clinicdesk.portal.services import payments
from tests.factories import UserFactory

from .helpers import actor_for, portal_client

KEY, SECRET = "test-key", "test-secret"


@pytest.fixture
def fake(db, settings, client):
    cache.clear()

    def deliver(url: str, body: bytes, headers: dict[str, str]) -> int:
        extra = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items() if k != "Content-Type"}
        return client.post(url.split("testserver", 1)[-1], body, content_type="application/json", **extra).status_code

    with FakeGateway(key=KEY, secret=SECRET, deliver=deliver) as server:
        settings.PAYMENT_GATEWAY_URL, settings.PAYMENT_GATEWAY_KEY = server.url, KEY
        settings.PAYMENT_WEBHOOK_SECRET = SECRET
        settings.PAYMENT_CHECKOUT_EXPIRY_MINUTES = 60
        yield server


@pytest.fixture
def owing(clock, ana, location):
    biller = UserFactory(role=Role.BILLING, location=location)
    billing.charge_post(actor=biller, patient_id=ana.pk, location_id=location.pk, amount=Decimal("120.00"),
                        description="Office visit")
    return ana


def _start(patient, amount, locale=""):
    return payments.portal_payment_start(actor=actor_for(patient), choice="balance", amount=amount,
                                         base_url="http://testserver/", locale=locale)


def test_an_unfinished_checkout_expires_by_the_task_and_when_the_patient_comes_back(fake, owing, clock, client):
    assert periodic.JOBS["expire-online-payments"].enqueue == tasks.expire_online_payments.enqueue
    first, _url = _start(owing, "10.00", locale="es")
    session = fake.sessions[first.session_id]
    assert first.expires_at == clock.now() + dt.timedelta(minutes=60)
    assert session["expires_at"] == int(first.expires_at.timestamp()) and session["locale"] == "es"
    _start(owing, "20.00")
    clock.advance(dt.timedelta(minutes=59))
    assert not payments.stale_payments_exist() and tasks.expire_online_payments.call() == 0

    clock.advance(dt.timedelta(minutes=2))
    assert payments.stale_payments_exist()
    assert payments.online_payments_expire(payment_ids=[first.pk]) == 1  # what the return page does, for one
    assert tasks.expire_online_payments.call() == 1 and tasks.expire_online_payments.call() == 0  # twice: no-op
    assert set(OnlinePayment.objects.values_list("status", flat=True)) == {"expired"}
    audit = AuditEntry.objects.filter(action="portal.payment_expired")
    assert audit.count() == 2 and {e.patient_id for e in audit} == {owing.pk}

    # The patient comes back: a checkout left open past its time is closed when they look (no task needed).
    third, _url = _start(owing, "30.00")
    clock.advance(dt.timedelta(minutes=61))
    portal_client(client, owing)
    back = client.get(f"/portal/pay/{third.reference}/")
    assert back.status_code == 200 and "not finished in time" in back.content.decode()
    third.refresh_from_db()
    assert third.status == "expired" and billing.balance_of(owing.pk) == Decimal("120.00")
    fourth, _url = _start(owing, "40.00")
    clock.advance(dt.timedelta(minutes=61))
    account = payments.portal_account(actor=actor_for(owing))
    assert {p.reference: p.status for p in account.payments}[fourth.reference] == "expired"


def test_a_late_paid_webhook_is_posted_and_a_late_failure_changes_nothing(fake, owing, clock):
    paid_late, _url = _start(owing, "25.00")
    declined_late, _url = _start(owing, "15.00")
    clock.advance(dt.timedelta(minutes=61))
    assert payments.online_payments_expire() == 2

    fake.pay(paid_late.session_id)  # the patient paid at the last second; the event arrives after the expiry
    assert fake.sent[-1]["status"] == 200 and fake.sent[-1]["event"]["type"] == "checkout.completed"
    paid_late.refresh_from_db()
    assert paid_late.status == "paid" and paid_late.receipt_number
    entry = LedgerEntry.objects.get(pk=paid_late.ledger_entry_id)
    assert entry.amount == Decimal("-25.00") and billing.balance_of(owing.pk) == Decimal("95.00")
    audit = AuditEntry.objects.get(action="portal.payment_paid")
    assert audit.detail["after_expiry"] is True and audit.patient_id == owing.pk

    fake.pay(declined_late.session_id, card="4000 0000 0000 0002")
    assert fake.sent[-1]["status"] == 200
    declined_late.refresh_from_db()
    assert declined_late.status == "expired" and declined_late.ledger_entry_id is None
    assert LedgerEntry.objects.filter(kind="payment").count() == 1
    assert payments.online_payments_expire() == 0  # a paid one is never expired again


def test_the_fake_checkout_page_follows_the_language_and_closes_at_the_expiry(fake, owing):
    payment, url = _start(owing, "25.00", locale="es-MX")
    fake.sessions[payment.session_id]["expires_at"] = int(time.time()) + 600  # the fake runs on real time
    with urllib.request.urlopen(url) as answer:
        spanish = answer.read().decode()
    assert '<html lang="es">' in spanish and "Número de tarjeta" in spanish and "25,00 USD" in spanish
    english, _url = _start(owing, "5.00", locale="xx")  # unknown: English
    fake.sessions[english.session_id]["expires_at"] = int(time.time()) + 600
    with urllib.request.urlopen(_url) as answer:
        page = answer.read().decode()
    assert '<html lang="en">' in page and "Card number" in page and "5.00 USD" in page

    fake.sessions[payment.session_id]["expires_at"] = int(time.time()) - 1
    for request in (urllib.request.Request(url), urllib.request.Request(url, data=b"card=4242424242424242")):
        with pytest.raises(urllib.error.HTTPError) as closed:
            urllib.request.urlopen(request)
        assert closed.value.code == 410 and "no se usó a tiempo" in closed.value.read().decode()
    assert fake.sent == []  # no card taken, no webhook
