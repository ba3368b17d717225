"""A fake hosted-checkout provider for tests and development (stdlib http.server on loopback, in a thread).

It speaks gateway.py's wire format: it creates checkout sessions (checking the bearer key), serves a checkout page
where the patient types a test card (never into Clinicdesk), then POSTs a signed webhook to Clinicdesk and sends
the browser back to the return URL. Card 4242 4242 4242 4242 is paid; 4000 0000 0000 0002 is declined.

Like a real provider it takes the checkout's `locale` (its page in English or Spanish, amounts in that language's
format; an unknown one falls back to English) and its `expires_at`: after it the page says the checkout is closed
and takes no card (410). `pay()` ignores the expiry, so that tests can send a late webhook.

    with FakeGateway(key="k", secret="s") as fake:   # or: clinicdesk fakegateway --port 8091
        fake.url  # http://127.0.0.1:<port>
"""

from __future__ import annotations

import html
import json
import secrets
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from django.conf import settings
from django.utils import formats, translation
from django.utils.translation import gettext as _

from .gateway import SIGNATURE_HEADER, TIMESTAMP_HEADER, sign

PAID_CARD = "4242424242424242"

PAGE = """<!doctype html><html lang="{lang}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><link rel="icon" href="data:,">
<title>{title}</title>
<style>body{{font-family:sans-serif;margin:0 auto;max-width:26rem;padding:1rem}}label{{display:block;margin-top:1rem}}
input{{font-size:1.1rem;width:100%;box-sizing:border-box;padding:.5rem}}button{{margin-top:1.5rem;font-size:1.1rem;
padding:.7rem 1.4rem}}</style></head><body><main><h1>{heading}</h1>{body}</main></body></html>"""
FORM = """<p id="amount">{amount_line}</p><p>{reference_line}</p>
<form method="post"><label for="card">{card}</label>
<input id="card" name="card" inputmode="numeric" autocomplete="cc-number" required>
<label for="expiry">{expiry}</label><input id="expiry" name="expiry" value="12/34" required>
<label for="cvc">{cvc}</label><input id="cvc" name="cvc" value="123" required>
<button id="pay" type="submit">{pay}</button></form>"""
CLOSED = """<p id="closed" role="alert">{closed}</p>"""


def _page(session: dict[str, Any], *, closed: bool) -> str:
    """The checkout page in the session's language (the app's `locale`; English when unknown)."""
    wanted = str(session.get("locale") or "en").split("-")[0].lower()
    lang = wanted if wanted in {code for code, _name in settings.LANGUAGES} else "en"
    with translation.override(lang):
        money = (f"{formats.number_format(Decimal(session['amount']) / 100, 2, use_l10n=True)} "
                 f"{html.escape(str(session['currency']))}")
        if closed:
            body = CLOSED.format(closed=html.escape(_(
                "This checkout is closed because it was not used in time. Nothing was charged. Go back to the "
                "practice's site to start again.")))
        else:
            body = FORM.format(
                amount_line=html.escape(_("Amount: %(amount)s") % {"amount": money}),
                reference_line=html.escape(_("Reference %(reference)s") % {"reference": session["reference"]}),
                card=html.escape(_("Card number")), expiry=html.escape(_("Expiry (MM/YY)")),
                cvc=html.escape(_("Security code (CVC)")), pay=html.escape(_("Pay %(amount)s") % {"amount": money}))
        return PAGE.format(lang=lang, title=html.escape(_("Test checkout")),
                           heading=html.escape(_("Test payment provider")), body=body)


def _expired(session: dict[str, Any]) -> bool:
    return bool(session.get("expires_at")) and time.time() >= int(session["expires_at"])


class FakeGateway:
    def __init__(self, *, key: str, secret: str, host: str = "127.0.0.1", port: int = 0,
                 deliver: Callable[[str, bytes, dict[str, str]], int] | None = None) -> None:
        """`deliver(url, body, headers) -> status` replaces the HTTP POST of webhooks (tests without a server)."""
        self.key = key
        self.deliver = deliver
        self.secret = secret
        self.sessions: dict[str, dict[str, Any]] = {}
        self.sent: list[dict[str, Any]] = []  # the webhooks posted, with Clinicdesk's answer status
        self.server = ThreadingHTTPServer((host, port), self._handler())
        self.server.daemon_threads = True
        self.thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}" if isinstance(host, str) else f"http://{host.decode()}:{port}"

    def start(self) -> FakeGateway:
        self.thread = threading.Thread(target=self.server.serve_forever, name="fake-gateway", daemon=True)
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self) -> FakeGateway:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def pay(self, session_id: str, card: str = PAID_CARD) -> str:
        """What the checkout form does: the webhook, then the return URL (for service-level tests)."""
        return self._complete(session_id, card)

    def _complete(self, session_id: str, card: str) -> str:
        session = self.sessions[session_id]
        digits = "".join(c for c in card if c.isdigit())
        kind = "checkout.completed" if digits == PAID_CARD else "checkout.failed"
        event = {"id": f"evt_{secrets.token_hex(8)}", "type": kind,
                 "data": {"session_id": session_id, "reference": session["reference"], "amount": session["amount"],
                          "currency": session["currency"], "card_last4": digits[-4:]}}
        body = json.dumps(event).encode()
        stamp = str(int(time.time()))
        headers = {"Content-Type": "application/json", TIMESTAMP_HEADER: stamp,
                   SIGNATURE_HEADER: sign(body, stamp, self.secret)}
        if self.deliver is not None:
            status = self.deliver(session["webhook_url"], body, headers)
        else:
            request = urllib.request.Request(session["webhook_url"], data=body, method="POST", headers=headers)  # noqa: S310
            try:
                with urllib.request.urlopen(request, timeout=20) as answer:  # noqa: S310 (loopback)
                    status = answer.status
            except urllib.error.HTTPError as error:
                status = error.code
        self.sent.append({"event": event, "body": body, "headers": headers, "status": status})
        session["status"] = kind
        return str(session["return_url"])

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:  # quiet in tests
                return

            def _send(self, status: int, body: bytes, content_type: str = "text/html; charset=utf-8",
                      headers: dict[str, str] | None = None) -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)

            def _body(self) -> bytes:
                return self.rfile.read(int(self.headers.get("Content-Length") or 0))

            def do_GET(self) -> None:
                if self.path == "/favicon.ico":
                    self._send(204, b"")
                    return
                session_id = self.path.rstrip("/").rsplit("/", 1)[-1]
                session = gateway.sessions.get(session_id)
                if not self.path.startswith("/checkout/") or session is None:
                    self._send(404, b"Not found")
                    return
                closed = _expired(session)
                self._send(410 if closed else 200, _page(session, closed=closed).encode())

            def do_POST(self) -> None:
                if self.path == "/v1/checkout/sessions":
                    if self.headers.get("Authorization") != f"Bearer {gateway.key}":
                        self._send(401, b'{"error": "bad key"}', "application/json")
                        return
                    data = json.loads(self._body())
                    session_id = f"cs_{secrets.token_hex(10)}"
                    gateway.sessions[session_id] = {**data, "status": "open"}
                    answer = {"id": session_id, "url": f"{gateway.url}/checkout/{session_id}"}
                    self._send(200, json.dumps(answer).encode(), "application/json")
                    return
                session_id = self.path.rstrip("/").rsplit("/", 1)[-1]
                if not self.path.startswith("/checkout/") or session_id not in gateway.sessions:
                    self._send(404, b"Not found")
                    return
                session = gateway.sessions[session_id]
                if _expired(session):  # the checkout is closed: no card is taken, no webhook sent
                    self._send(410, _page(session, closed=True).encode())
                    return
                form = urllib.parse.parse_qs(self._body().decode())
                target = gateway._complete(session_id, (form.get("card") or [""])[0])
                self._send(303, b"", headers={"Location": target})

        return Handler
