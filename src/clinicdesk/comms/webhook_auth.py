"""Who may call the SMS gateway's webhooks (inbound messages, delivery reports).

Two ways, either enough:
- the provider's signature: gateways with the REST shape our outbound client speaks sign each webhook with
  the account's auth token (`SMS_AUTH_TOKEN`): base64 of HMAC-SHA1 over the public URL they called followed
  by every POST parameter, sorted by name, as name then value, in the `X-Twilio-Signature` header (the
  header's name is `SMS_WEBHOOK_SIGNATURE_HEADER`). Such providers cannot add headers of their own.
- a shared token in `X-Clinicdesk-Webhook-Token` (`SMS_WEBHOOK_TOKEN`), for gateways that send one.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterable

from django.conf import settings
from django.http import HttpRequest

TOKEN_HEADER = "X-Clinicdesk-Webhook-Token"


def webhook_signature(*, url: str, params: Iterable[tuple[str, str]], secret: str) -> str:
    """The provider's signature of a POST to `url` with form `params`."""
    payload = url + "".join(name + value for name, value in sorted(params))
    digest = hmac.new(secret.encode(), payload.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def _signed_urls(request: HttpRequest) -> set[str]:
    """The URL the provider signed: the public address it was given (behind a proxy), or this request's own."""
    path = request.get_full_path()
    return {settings.PUBLIC_BASE_URL.rstrip("/") + path, request.build_absolute_uri(path)}


def webhook_allowed(request: HttpRequest) -> bool:
    token = settings.SMS_WEBHOOK_TOKEN
    if token and hmac.compare_digest(token, request.headers.get(TOKEN_HEADER, "")):
        return True
    given = request.headers.get(settings.SMS_WEBHOOK_SIGNATURE_HEADER, "")
    secret = settings.SMS_AUTH_TOKEN
    if not given or not secret:
        return False
    params = [(name, value) for name in request.POST for value in request.POST.getlist(name)]
    return any(hmac.compare_digest(webhook_signature(url=url, params=params, secret=secret), given)
               for url in _signed_urls(request))
