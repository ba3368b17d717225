"""The payment gateway adapter: a hosted-checkout provider (issue #23, item 4).

Clinicdesk never sees a card number. `checkout_create` asks the provider for a checkout session (amount in cents,
currency, our reference, where to send the patient back and where to post the webhook) and gets the page to
redirect the patient to. When the patient has paid, the provider POSTs a webhook: `webhook_verify` checks its
signature, HMAC-SHA256 with PAYMENT_WEBHOOK_SECRET over "<timestamp>.<raw body>", compared in constant time, and
refuses a timestamp outside PAYMENT_WEBHOOK_TOLERANCE_SECONDS (a replay). The event id makes it idempotent
(services/payments.py keeps each id once).

Wire format (the fake provider in fake_gateway.py speaks the same):
  POST <PAYMENT_GATEWAY_URL>/v1/checkout/sessions   Authorization: Bearer <PAYMENT_GATEWAY_KEY>
       {"amount": 2500, "currency": "USD", "reference": "...", "return_url": "...", "webhook_url": "...",
        "expires_at": <unix seconds: the checkout closes>, "locale": "en" | "es" (the page's language)}
    -> {"id": "cs_...", "url": "https://provider/checkout/cs_..."}
  webhook: headers X-Gateway-Timestamp: <unix seconds>, X-Gateway-Signature: v1=<hex>
       {"id": "evt_...", "type": "checkout.completed" | "checkout.failed",
        "data": {"session_id": "cs_...", "reference": "...", "amount": 2500, "currency": "USD", "card_last4": "4242"}}
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import json
import time
import urllib.error
import urllib.parse
import urllib.request
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

TIMESTAMP_HEADER = "X-Gateway-Timestamp"
SIGNATURE_HEADER = "X-Gateway-Signature"
EVENT_KINDS = ("checkout.completed", "checkout.failed")


class GatewayUnavailable(Exception):
    """The provider did not answer as expected: the patient is told to try again later; nothing is written."""


class WebhookRefused(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason  # for the audit trail: "signature", "timestamp", "body"


@dataclasses.dataclass(frozen=True)
class Checkout:
    session_id: str
    url: str


@dataclasses.dataclass(frozen=True)
class GatewayEvent:
    event_id: str
    kind: str
    session_id: str
    reference: str
    amount: Decimal
    currency: str
    card_last4: str


def configured() -> bool:
    return bool(settings.PAYMENT_GATEWAY_URL and settings.PAYMENT_GATEWAY_KEY and settings.PAYMENT_WEBHOOK_SECRET)


def origin() -> str:
    """The provider's origin ("https://pay.example.com"), for the pay page's CSP form-action (the form's answer
    redirects there); empty when not configured."""
    parts = urllib.parse.urlsplit(settings.PAYMENT_GATEWAY_URL or "")
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme in ("http", "https") and parts.netloc else ""


def _require_configured() -> None:
    missing = [name for name in ("PAYMENT_GATEWAY_URL", "PAYMENT_GATEWAY_KEY", "PAYMENT_WEBHOOK_SECRET")
               if not getattr(settings, name, "")]
    if missing:
        raise ImproperlyConfigured(f"Online payments need these settings: {', '.join(missing)} "
                                   "(see docs/operations.md, payment gateway).")


def sign(body: bytes, timestamp: str | int, secret: str | None = None) -> str:
    key = (secret if secret is not None else settings.PAYMENT_WEBHOOK_SECRET).encode()
    mac = hmac.new(key, str(timestamp).encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"v1={mac}"


def checkout_create(*, amount: Decimal, currency: str, reference: str, return_url: str, webhook_url: str,
                    expires_at: int, locale: str = "en") -> Checkout:
    """A hosted checkout that closes at `expires_at` (unix seconds), its page in `locale` (a language code)."""
    _require_configured()
    cents = int((amount * 100).to_integral_value())
    payload = json.dumps({"amount": cents, "currency": currency, "reference": reference, "return_url": return_url,
                          "webhook_url": webhook_url, "expires_at": int(expires_at),
                          "locale": locale.split("-")[0].lower() or "en"}).encode()
    request = urllib.request.Request(  # noqa: S310 (the configured https provider)
        settings.PAYMENT_GATEWAY_URL.rstrip("/") + "/v1/checkout/sessions", data=payload, method="POST",
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {settings.PAYMENT_GATEWAY_KEY}"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (the configured provider)
            answer = json.loads(response.read())
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise GatewayUnavailable(str(exc)) from exc
    session_id, url = str(answer.get("id", "")), str(answer.get("url", ""))
    if not session_id or not url.startswith(("https://", "http://")):
        raise GatewayUnavailable("the provider's answer has no session")
    return Checkout(session_id=session_id[:80], url=url)


def webhook_verify(*, body: bytes, timestamp: str, signature: str, now: float | None = None) -> GatewayEvent:
    """The event in a webhook, or WebhookRefused: a wrong signature, an old or future timestamp, a bad body."""
    _require_configured()
    if not timestamp.isdigit() or not signature:
        raise WebhookRefused("signature")
    expected = sign(body, timestamp)
    if not hmac.compare_digest(expected.encode(), signature.strip().encode()):
        raise WebhookRefused("signature")
    tolerance = settings.PAYMENT_WEBHOOK_TOLERANCE_SECONDS
    if abs((now if now is not None else time.time()) - int(timestamp)) > tolerance:
        raise WebhookRefused("timestamp")
    try:
        event: Any = json.loads(body)
        data = event["data"]
        kind = str(event["type"])
        cents = int(data["amount"])
        parsed = GatewayEvent(event_id=str(event["id"])[:80], kind=kind, session_id=str(data["session_id"])[:80],
                              reference=str(data.get("reference", ""))[:40],
                              amount=(Decimal(cents) / 100).quantize(Decimal("0.01")),
                              currency=str(data.get("currency", "")), card_last4=str(data.get("card_last4", ""))[:4])
    except (ValueError, KeyError, TypeError):
        raise WebhookRefused("body") from None
    if kind not in EVENT_KINDS or not parsed.event_id or cents <= 0:
        raise WebhookRefused("body")
    return parsed
