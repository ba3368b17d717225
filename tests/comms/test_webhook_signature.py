"""The SMS webhooks accept the provider's signature (HMAC-SHA1 of the URL and the sorted POST parameters,
keyed by the account's auth token), as providers with the REST shape our client speaks send it; the shared
token header stays as an alternative."""

from __future__ import annotations

import base64
import hashlib
import hmac

import pytest
from django.test import Client

from clinicdesk.patients.models import Patient

PUBLIC = "https://clinic.example.org"


def _sign(url: str, params: dict[str, str], secret: str) -> str:
    data = url + "".join(f"{name}{params[name]}" for name in sorted(params))
    return base64.b64encode(hmac.new(secret.encode(), data.encode(), hashlib.sha1).digest()).decode()


@pytest.fixture
def signed_webhooks(settings):
    settings.SMS_AUTH_TOKEN = "auth-token-of-the-account"
    settings.SMS_WEBHOOK_TOKEN = ""
    settings.PUBLIC_BASE_URL = PUBLIC
    return settings


def test_sms_inbound_accepts_the_providers_signature(signed_webhooks, reachable_patient):
    params = {"From": "+14135550142", "Body": "STOP", "MessageSid": "SM1", "To": "+14135550100"}
    signature = _sign(f"{PUBLIC}/hooks/sms/inbound", params, "auth-token-of-the-account")
    answer = Client().post("/hooks/sms/inbound", params, HTTP_X_TWILIO_SIGNATURE=signature)
    assert answer.status_code == 200 and answer.json() == {"outcome": "opted-out"}
    assert Patient.objects.get(pk=reachable_patient.pk).sms_opt_in is False


def test_sms_webhooks_refuse_a_wrong_or_missing_signature(signed_webhooks, reachable_patient):
    params = {"From": "+14135550142", "Body": "STOP"}
    signature = _sign(f"{PUBLIC}/hooks/sms/inbound", params, "auth-token-of-the-account")
    tampered = {**params, "Body": "C"}
    assert Client().post("/hooks/sms/inbound", tampered, HTTP_X_TWILIO_SIGNATURE=signature).status_code == 403
    other_key = _sign(f"{PUBLIC}/hooks/sms/inbound", params, "someone-elses-token")
    assert Client().post("/hooks/sms/inbound", params, HTTP_X_TWILIO_SIGNATURE=other_key).status_code == 403
    assert Client().post("/hooks/sms/inbound", params).status_code == 403
    status_signature = _sign(f"{PUBLIC}/hooks/sms/inbound", {"MessageSid": "SM1", "MessageStatus": "delivered"},
                             "auth-token-of-the-account")  # signed for another URL
    assert Client().post("/hooks/sms/status", {"MessageSid": "SM1", "MessageStatus": "delivered"},
                         HTTP_X_TWILIO_SIGNATURE=status_signature).status_code == 403
    assert Patient.objects.get(pk=reachable_patient.pk).sms_opt_in is True


def test_sms_status_accepts_a_signed_delivery_report(signed_webhooks, db):
    params = {"MessageSid": "SM-unknown", "MessageStatus": "delivered"}
    signature = _sign(f"{PUBLIC}/hooks/sms/status", params, "auth-token-of-the-account")
    assert Client().post("/hooks/sms/status", params, HTTP_X_TWILIO_SIGNATURE=signature).status_code == 204


def test_sms_webhooks_still_take_the_shared_token(signed_webhooks, reachable_patient):
    signed_webhooks.SMS_WEBHOOK_TOKEN = "s3cret"
    answer = Client().post("/hooks/sms/inbound", {"From": "+14135550142", "Body": "STOP"},
                           HTTP_X_CLINICDESK_WEBHOOK_TOKEN="s3cret")
    assert answer.json() == {"outcome": "opted-out"}
