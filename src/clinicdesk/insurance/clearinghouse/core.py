"""CAQH CORE connectivity (Phase II, rule 270) over HTTP(S): a MIME multipart form per request.

Sent: ProcessingMode=RealTime, PayloadType=X12_270_Request_005010X279A1, PayloadID (a UUID), TimeStamp
(UTC, ISO 8601), SenderID, ReceiverID, CORERuleVersion, UserName/Password and the Payload (the 270). Expected
back: a multipart form whose PayloadType is X12_271_Response_005010X279A1 and whose PayloadID answers ours, with
ErrorCode Success. Anything else is an `ExchangeError` whose `kind` says what went wrong (timeout, transport,
refused, malformed); no answer is ever guessed.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any

import httpx

REQUEST_TYPE = "X12_270_Request_005010X279A1"
RESPONSE_TYPE = "X12_271_Response_005010X279A1"
RULE_VERSION = "2.2.0"


class ExchangeError(Exception):
    """The exchange did not give a usable 271. kind: timeout, transport, refused or malformed."""

    def __init__(self, kind: str, detail: str) -> None:
        super().__init__(detail)
        self.kind = kind
        self.detail = detail


@dataclass(frozen=True)
class CoreConfig:
    url: str
    sender_id: str
    receiver_id: str
    username: str = ""
    password: str = ""
    timeout: float = 20.0


def form_fields(message: Any) -> dict[str, str]:
    """The fields of a parsed multipart/form-data body (an email.message.EmailMessage)."""
    fields: dict[str, str] = {}
    if not message.is_multipart():
        return fields
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not name:
            continue
        payload = part.get_payload(decode=True) or b""
        fields[str(name)] = bytes(payload).decode("utf-8", "replace")
    return fields


def parse_form(content_type: str, body: bytes) -> dict[str, str]:
    """Parse a multipart/form-data body (both sides of the exchange use this)."""
    if not content_type.lower().startswith("multipart/"):
        return {}
    message = BytesParser(policy=HTTP).parsebytes(b"Content-Type: " + content_type.encode("latin-1")
                                                  + b"\r\n\r\n" + body)
    return form_fields(message)


def envelope_fields(config: CoreConfig, payload: str, *, payload_id: str | None = None,
                    now: dt.datetime | None = None) -> dict[str, str]:
    moment = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
    fields = {
        "ProcessingMode": "RealTime", "PayloadType": REQUEST_TYPE, "PayloadID": payload_id or str(uuid.uuid4()),
        "TimeStamp": moment.strftime("%Y-%m-%dT%H:%M:%SZ"), "SenderID": config.sender_id,
        "ReceiverID": config.receiver_id, "CORERuleVersion": RULE_VERSION,
    }
    if config.username:
        fields["UserName"] = config.username
        fields["Password"] = config.password
    fields["Payload"] = payload
    return fields


class CoreClient:
    """One client per batch: httpx keeps up to `connections` connections open to the clearinghouse."""

    def __init__(self, config: CoreConfig, *, connections: int = 4) -> None:
        self.config = config
        limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
        self.http = httpx.Client(timeout=httpx.Timeout(config.timeout), limits=limits)

    def __enter__(self) -> CoreClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.http.close()

    def exchange(self, payload_270: str) -> str:
        """Send one 270, return the 271 text. Raises ExchangeError."""
        payload_id = str(uuid.uuid4())
        fields = envelope_fields(self.config, payload_270, payload_id=payload_id)
        files = {name: (None, value) for name, value in fields.items()}
        try:
            response = self.http.post(self.config.url, files=files)
        except httpx.TimeoutException as error:
            raise ExchangeError("timeout", f"No answer within {self.config.timeout:g} seconds.") from error
        except httpx.HTTPError as error:
            raise ExchangeError("transport", f"The clearinghouse could not be reached ({type(error).__name__}).") \
                from error
        answer = parse_form(response.headers.get("content-type", ""), response.content)
        if response.status_code >= 400 and not answer:
            raise ExchangeError("refused", f"The clearinghouse answered HTTP {response.status_code}.")
        if not answer:
            raise ExchangeError("malformed", "The answer is not a CORE envelope (multipart form).")
        code = answer.get("ErrorCode", "")
        if code and code != "Success":
            message = answer.get("ErrorMessage", "")[:200]
            raise ExchangeError("refused", f"The clearinghouse refused the request: {code} {message}".strip())
        if answer.get("PayloadType") != RESPONSE_TYPE:
            raise ExchangeError("malformed", f"The answer's PayloadType is '{answer.get('PayloadType', '')[:60]}', "
                                             f"not {RESPONSE_TYPE}.")
        if answer.get("PayloadID") not in (payload_id, None):
            raise ExchangeError("malformed", "The answer's PayloadID does not match the request's.")
        payload = answer.get("Payload", "")
        if not payload.strip():
            raise ExchangeError("malformed", "The answer carries no payload.")
        return payload
