"""Paying online (issue #23, item 4): the gateway adapter's signature check, checkouts at the fake provider (a real
HTTP server on loopback), the webhook posting through billing's one payment path, idempotency, and refusals."""

from __future__ import annotations

import datetime as dt
import json
import time
from decimal import Decimal

import pytest
from django.core.cache import cache

from clinicdesk.audit.models import AuditEntry
from clinicdesk.billing import services as billing
from clinicdesk.billing.models import LedgerEntry
from clinicdesk.core.exceptions import NotFound, ValidationFailed
from clinicdesk.core.permissions import Role
from clinicdesk.patients.models import Coverage, Payer
from clinicdesk.portal import gateway
from clinicdesk.portal.fake_gateway import FakeGateway
from clinicdesk.portal.models import GatewayEvent, OnlinePayment
from clinicdesk.portal.services import payments, proxy_authorize, refusals
from tests.factories import AppointmentFactory, PatientFactory, UserFactory

from .helpers import actor_for, portal_client

KEY, SECRET = "test-key", "test-secret"


@pytest.fixture
def fake(db, settings, client):
    """The fake provider on a free loopback port; its webhooks go to Clinicdesk through the test client."""
    cache.clear()

    def deliver(url: str, body: bytes, headers: dict[str, str]) -> int:
        extra = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items() if k != "Content-Type"}
        return client.post(url.split("testserver", 1)[-1], body, content_type="application/json", **extra).status_code

    with FakeGateway(key=KEY, secret=SECRET, deliver=deliver) as server:
        settings.PAYMENT_GATEWAY_URL = server.url
        settings.PAYMENT_GATEWAY_KEY = KEY
        settings.PAYMENT_WEBHOOK_SECRET = SECRET
        yield server


@pytest.fixture
def biller(location):
    return UserFactory(role=Role.BILLING, location=location)


@pytest.fixture
def owing(clock, ana, biller, location):
    billing.charge_post(actor=biller, patient_id=ana.pk, location_id=location.pk, amount=Decimal("120.00"),
                        description="Office visit")
    return ana


@pytest.fixture
def visit(clock, ana, location, provider):
    Coverage.objects.create(patient=ana, payer=Payer.objects.create(name="Acme Health"), member_id="M1",
                            start_date=dt.date(2026, 1, 1), copay_primary=Decimal("25.00"))
    return AppointmentFactory(location=location, patient=ana, practitioner=provider,
                              start=dt.datetime(2026, 11, 24, 15, 0, tzinfo=dt.UTC))


def _start(patient, choice, amount=""):
    return payments.portal_payment_start(actor=actor_for(patient), choice=choice, amount=amount,
                                         base_url="http://testserver/")


# --- the adapter -----------------------------------------------------------------------------------------------
def _event(**data):
    body = {"id": "evt_1", "type": "checkout.completed",
            "data": {"session_id": "cs_1", "reference": "CD1", "amount": 2500, "currency": "USD", "card_last4": "4242",
                     **data}}
    return json.dumps(body).encode()


def test_the_adapter_accepts_only_a_fresh_correct_signature(settings):
    settings.PAYMENT_GATEWAY_URL, settings.PAYMENT_GATEWAY_KEY = "http://x", "k"
    settings.PAYMENT_WEBHOOK_SECRET = SECRET
    body, now = _event(), str(int(time.time()))
    event = gateway.webhook_verify(body=body, timestamp=now, signature=gateway.sign(body, now))
    assert event.amount == Decimal("25.00") and event.event_id == "evt_1" and event.card_last4 == "4242"
    for timestamp, signature, reason in [
        (now, gateway.sign(body, now, "wrong secret"), "signature"),
        (now, gateway.sign(body + b" ", now), "signature"),  # another body
        (now, "", "signature"),
        (str(int(now) - 301), gateway.sign(body, str(int(now) - 301)), "timestamp"),  # too old: a replay
        (str(int(now) + 301), gateway.sign(body, str(int(now) + 301)), "timestamp"),
    ]:
        with pytest.raises(gateway.WebhookRefused) as refused:
            gateway.webhook_verify(body=body, timestamp=timestamp, signature=signature)
        assert refused.value.reason == reason
    with pytest.raises(gateway.WebhookRefused):
        bad = b'{"id": "evt_2"}'
        gateway.webhook_verify(body=bad, timestamp=now, signature=gateway.sign(bad, now))


def test_without_settings_online_payments_fail_clearly(settings, owing):
    settings.PAYMENT_GATEWAY_URL = ""
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured, match="PAYMENT_GATEWAY_URL"):
        gateway.webhook_verify(body=b"{}", timestamp="1", signature="v1=x")
    with pytest.raises(payments.GatewayDown):
        _start(owing, "balance")
    assert not OnlinePayment.objects.exists()


# --- end to end through the fake provider ----------------------------------------------------------------------
def test_a_co_pay_paid_at_the_fake_gateway_is_posted_once_on_the_ledger(fake, visit, ana, client):
    account = payments.portal_account(actor=actor_for(ana))
    assert [(c.appointment.pk, c.amount) for c in account.copays] == [(visit.pk, Decimal("25.00"))]
    payment, url = _start(ana, f"copay:{visit.pk}")
    assert url.startswith(fake.url + "/checkout/") and payment.status == "pending"
    assert fake.sessions[payment.session_id]["amount"] == 2500

    back = fake.pay(payment.session_id)
    assert back == f"http://testserver/portal/pay/{payment.reference}/"
    assert fake.sent[-1]["status"] == 200
    payment.refresh_from_db()
    assert payment.status == "paid" and payment.receipt_number and payment.card_last4 == "4242"
    entry = LedgerEntry.objects.get(pk=payment.ledger_entry_id)
    assert entry.kind == "payment" and entry.amount == Decimal("-25.00") and entry.method == "online"
    assert entry.appointment_id == visit.pk and "Online co-pay" in entry.description
    assert entry.card_reference == payment.session_id[:40] and entry.created_by is None
    audit = AuditEntry.objects.filter(action="portal.payment_paid").get()
    assert audit.actor_username == f"patient:{ana.pk}" and audit.patient_id == ana.pk
    assert AuditEntry.objects.filter(action="payment.collect", actor_username=f"patient:{ana.pk}").exists()
    assert payments.portal_account(actor=actor_for(ana)).copays == []

    # The provider retries the same event: nothing more is written.
    sent = fake.sent[-1]
    extra = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in sent["headers"].items() if k != "Content-Type"}
    again = client.post("/portal/pay/webhook/", sent["body"], content_type="application/json", **extra)
    assert again.status_code == 200 and again.content == b"replay\n"
    assert LedgerEntry.objects.filter(kind="payment").count() == 1 and GatewayEvent.objects.count() == 1

    # The patient's pages: back from the provider, and the receipt.
    portal_client(client, ana)
    page = client.get(back.replace("http://testserver", ""))
    assert page.status_code == 200 and payment.receipt_number in page.content.decode()
    pdf = client.get(f"/portal/pay/{payment.reference}/receipt.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_the_balance_is_paid_from_the_page_and_a_declined_card_posts_nothing(fake, owing, client):
    portal_client(client, owing)
    page = client.get("/portal/pay/")
    assert page.status_code == 200 and "$120.00" in page.content.decode()
    assert client.post("/portal/pay/", {"choice": "balance", "amount": "500"}).status_code == 422
    response = client.post("/portal/pay/", {"choice": "balance", "amount": "20.00"})
    assert response.status_code == 302 and response["Location"].startswith(fake.url + "/checkout/")
    payment = OnlinePayment.objects.get()
    assert payment.amount == Decimal("20.00") and payment.purpose == "balance"
    fake.pay(payment.session_id, card="4000 0000 0000 0002")
    payment.refresh_from_db()
    assert payment.status == "failed" and not LedgerEntry.objects.filter(kind="payment").exists()
    assert billing.balance_of(owing.pk) == Decimal("120.00")


def test_a_forged_webhook_is_refused_writes_nothing_and_is_rate_limited(fake, owing, client):
    payment, _url = _start(owing, "balance")
    body = json.dumps({"id": "evt_forged", "type": "checkout.completed",
                       "data": {"session_id": payment.session_id, "reference": payment.reference, "amount": 12000,
                                "currency": "USD", "card_last4": "4242"}}).encode()
    now = str(int(time.time()))
    forged = gateway.sign(body, now, "a guessed secret")
    for _attempt in range(refusals.WEBHOOK.count):
        answer = client.post("/portal/pay/webhook/", body, content_type="application/json",
                             HTTP_X_GATEWAY_TIMESTAMP=now, HTTP_X_GATEWAY_SIGNATURE=forged)
        assert answer.status_code == 400 and b"Refused" in answer.content
    expired = str(int(now) - 3600)
    late = client.post("/portal/pay/webhook/", body, content_type="application/json",
                       HTTP_X_GATEWAY_TIMESTAMP=expired, HTTP_X_GATEWAY_SIGNATURE=gateway.sign(body, expired))
    assert late.status_code == 429  # the address is refused for a while, even with a good signature
    payment.refresh_from_db()
    assert payment.status == "pending" and not GatewayEvent.objects.exists()
    assert not LedgerEntry.objects.filter(kind="payment").exists()
    refused = AuditEntry.objects.filter(action="portal.payment_webhook_refused")
    assert refused.count() == refusals.WEBHOOK.count + 1 and {e.outcome for e in refused} == {"denied"}


def test_an_expired_or_mismatched_webhook_is_refused(fake, owing, client):
    payment, _url = _start(owing, "balance")
    data = {"session_id": payment.session_id, "reference": payment.reference, "currency": "USD", "card_last4": "1"}
    for amount, stamp in [(12000, int(time.time()) - 3600), (100, int(time.time()))]:  # old; not what was asked
        body = json.dumps({"id": f"evt_{amount}", "type": "checkout.completed", "data": {**data, "amount": amount}})
        answer = client.post("/portal/pay/webhook/", body.encode(), content_type="application/json",
                             HTTP_X_GATEWAY_TIMESTAMP=str(stamp),
                             HTTP_X_GATEWAY_SIGNATURE=gateway.sign(body.encode(), stamp))
        assert answer.status_code == 400
    assert not GatewayEvent.objects.exists() and not LedgerEntry.objects.filter(kind="payment").exists()


def test_another_patients_payment_looks_missing(fake, owing, ben, client):
    payment, _url = _start(owing, "balance")
    with pytest.raises(NotFound):
        payments.portal_payment(actor=actor_for(ben), reference=payment.reference)
    portal_client(client, ben)
    assert client.get(f"/portal/pay/{payment.reference}/").status_code == 404
    assert client.post("/portal/pay/", {"choice": "balance"}).status_code == 422  # Ben owes nothing


def test_a_proxy_pays_a_dependents_balance(fake, clock, clerk, ana, biller, location, client):
    child = PatientFactory(home_location=location, given_name="Lia", family_name="Lopez",
                           birth_date=dt.date(2018, 3, 1))
    proxy_authorize(actor=clerk, proxy_id=ana.pk, dependent_id=child.pk, kind="parent-of-minor",
                    valid_from=dt.date(2026, 1, 1))
    billing.charge_post(actor=biller, patient_id=child.pk, location_id=location.pk, amount=Decimal("40.00"),
                        description="Visit")
    payment, _url = payments.portal_payment_start(actor=actor_for(ana, child), choice="balance",
                                                  base_url="http://testserver/")
    fake.pay(payment.session_id)
    payment.refresh_from_db()
    assert payment.status == "paid" and payment.patient == child and payment.paid_by == ana
    assert billing.balance_of(child.pk) == Decimal("0.00")
    audit = AuditEntry.objects.filter(action="portal.payment_paid").get()
    assert audit.patient_id == child.pk and audit.detail.get("proxy") == ana.pk


def test_a_payment_plan_is_paid_instalment_by_instalment(fake, owing):
    with pytest.raises(ValidationFailed):
        payments.portal_plan_agree(actor=actor_for(owing), instalments=7)
    plan = payments.portal_plan_agree(actor=actor_for(owing), instalments=3)
    view = payments.portal_account(actor=actor_for(owing)).plan
    assert view is not None and [i.amount for i in view.schedule] == [Decimal("40.00")] * 3
    assert [i.due for i in view.schedule] == [dt.date(2026, 11, 23), dt.date(2026, 12, 23), dt.date(2027, 1, 23)]
    payment, _url = _start(owing, "instalment")
    assert payment.plan == plan and payment.amount == Decimal("40.00")
    fake.pay(payment.session_id)
    view = payments.portal_account(actor=actor_for(owing)).plan
    assert view is not None and [i.paid for i in view.schedule] == [True, False, False]
    assert billing.balance_of(owing.pk) == Decimal("80.00")
