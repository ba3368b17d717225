"""The network edge: e-mail through Django's SMTP backend, SMS through an HTTP gateway.

The SMS gateway speaks the shape of a common SMS provider's REST API: POST form fields To, From,
Body and StatusCallback to /2010-04-01/Accounts/{sid}/Messages.json with HTTP basic auth; the
answer carries the provider's message id ("sid") and a status. An idempotency header asks the gateway
to return the first result instead of sending again; not every gateway honours it, so the outbox never
relies on it: a text that may have reached the gateway is "in doubt" and not resent (`delivery`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import httpx
from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection


class DeliveryError(Exception):
    """A send that failed; `permanent` ones are not retried (bad address, refused by the provider), nor are
    `in_doubt` ones: the provider may have received the message before the failure (see `delivery`)."""

    def __init__(self, detail: str, *, permanent: bool = False, in_doubt: bool = False) -> None:
        super().__init__(detail)
        self.permanent = permanent
        self.in_doubt = in_doubt


@dataclass(frozen=True)
class Outgoing:
    to: str
    subject: str
    body: str
    idempotency_key: str
    message_id_header: str = ""
    ics: str = ""
    unsubscribe_url: str = ""  # outreach and marketing e-mail: the List-Unsubscribe header (RFC 8058 one-click)


class SmsGateway(Protocol):
    def send(self, outgoing: Outgoing) -> str: ...


# Transport errors raised before any byte of the request reached the gateway.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.UnsupportedProtocol)


class HttpSmsGateway:
    def __init__(self, *, base_url: str, account_sid: str, auth_token: str, sender: str,
                 status_callback: str = "", timeout: float = 10.0) -> None:
        self.url = f"{base_url.rstrip('/')}/2010-04-01/Accounts/{account_sid}/Messages.json"
        self.auth = (account_sid, auth_token)
        self.sender = sender
        self.status_callback = status_callback
        self.client = httpx.Client(timeout=timeout)

    def send(self, outgoing: Outgoing) -> str:
        form = {"To": outgoing.to, "From": self.sender, "Body": outgoing.body}
        if self.status_callback:
            form["StatusCallback"] = self.status_callback
        try:
            response = self.client.post(self.url, data=form, auth=self.auth,
                                        headers={"I-Twilio-Idempotency-Token": outgoing.idempotency_key})
        except _NOT_SENT as exc:  # the request never left: safe to retry
            raise DeliveryError(f"gateway unreachable: {type(exc).__name__}") from exc
        except httpx.HTTPError as exc:  # the request may have arrived (a read timeout, a dropped answer)
            raise DeliveryError(f"no answer from the gateway: {type(exc).__name__}", in_doubt=True) from exc
        if response.status_code >= 500 or response.status_code == 429:
            raise DeliveryError(f"gateway answered {response.status_code}")
        if response.status_code >= 400:
            raise DeliveryError(f"gateway refused the message ({response.status_code})", permanent=True)
        return str(response.json().get("sid", ""))


def sms_gateway() -> SmsGateway:
    return HttpSmsGateway(base_url=settings.SMS_GATEWAY_URL, account_sid=settings.SMS_ACCOUNT_SID,
                          auth_token=settings.SMS_AUTH_TOKEN, sender=settings.SMS_FROM,
                          status_callback=settings.SMS_STATUS_CALLBACK_URL)


class EmailSender:
    """One SMTP connection for a batch of messages."""

    def __init__(self) -> None:
        self.connection = get_connection()

    def __enter__(self) -> EmailSender:
        self.connection.open()
        return self

    def __exit__(self, *exc: object) -> None:
        self.connection.close()

    def send(self, outgoing: Outgoing) -> str:
        headers = {"Message-ID": outgoing.message_id_header}
        if outgoing.unsubscribe_url:
            headers["List-Unsubscribe"] = f"<{outgoing.unsubscribe_url}>"
            headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        email = EmailMultiAlternatives(subject=outgoing.subject, body=outgoing.body, to=[outgoing.to],
                                       connection=self.connection, headers=headers)
        if outgoing.ics:
            email.attach("appointment.ics", outgoing.ics, "text/calendar; method=REQUEST")
        try:
            sent = email.send()
        except OSError as exc:  # smtplib errors derive from OSError
            permanent = getattr(exc, "smtp_code", 0) and 500 <= exc.smtp_code < 600  # type: ignore[attr-defined]
            raise DeliveryError(f"SMTP: {type(exc).__name__} {getattr(exc, 'smtp_code', '')}".strip(),
                                permanent=bool(permanent)) from exc
        if not sent:
            raise DeliveryError("SMTP accepted nothing")
        return outgoing.message_id_header
