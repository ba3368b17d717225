"""Real network edges on loopback: an SMTP server (aiosmtpd) and an SMS gateway in the shape of a
common provider's REST API, both recording what arrives."""

from __future__ import annotations

import datetime as dt
import json
import socket
import threading
import time
from email import message_from_bytes
from email.message import Message as EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs
from zoneinfo import ZoneInfo

import pytest
from aiosmtpd.controller import Controller

from clinicdesk.core.timezones import local_to_utc
from tests.factories import PatientFactory

NEW_YORK = ZoneInfo("America/New_York")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Inbox:
    def __init__(self, delay: float = 0.0) -> None:
        self.messages: list[EmailMessage] = []
        self.delay = delay
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            time.sleep(self.delay)
        with self.lock:
            self.messages.append(message_from_bytes(envelope.content))
        return "250 OK"


@pytest.fixture
def smtp_server(settings):
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    yield inbox
    controller.stop()


class Gateway:
    """Accepts POST /2010-04-01/Accounts/{sid}/Messages.json; replays on a repeated idempotency token (unless
    `honour_token` is off, as some gateways do). `posts` counts every POST received; `delay` holds each answer."""

    def __init__(self) -> None:
        self.sent: list[dict[str, str]] = []
        self.posts: list[dict[str, str]] = []
        self.by_token: dict[str, str] = {}
        self.fail_next = 0
        self.honour_token = True
        self.delay = 0.0
        self.lock = threading.Lock()

    def handler(self):
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                token = self.headers.get("I-Twilio-Idempotency-Token", "")
                with gateway.lock:
                    gateway.posts.append(form)
                    if gateway.fail_next:
                        gateway.fail_next -= 1
                        self.send_response(503)
                        self.end_headers()
                        return
                    sid = gateway.by_token.get(token) if gateway.honour_token else None
                    if sid is None:
                        sid = f"SM{len(gateway.sent) + 1:06d}"
                        gateway.by_token[token] = sid
                        gateway.sent.append({**form, "sid": sid})
                if gateway.delay:
                    time.sleep(gateway.delay)
                body = json.dumps({"sid": sid, "status": "queued"}).encode()
                self.send_response(201)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        return Handler


@pytest.fixture
def sms_gateway(settings):
    gateway = Gateway()
    server = ThreadingHTTPServer(("127.0.0.1", 0), gateway.handler())
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.SMS_GATEWAY_URL = f"http://127.0.0.1:{server.server_address[1]}"
    yield gateway
    server.shutdown()


@pytest.fixture
def reachable_patient(location):
    """A patient who agreed to e-mail and text messages."""
    return PatientFactory(home_location=location, email="ana@example.org", phone="(413) 555-0142",
                          email_opt_in=True, sms_opt_in=True, given_name="Ana", preferred_language="en")


def at(day: dt.date, hour: int, minute: int = 0, tz=NEW_YORK) -> dt.datetime:
    return local_to_utc(day, dt.time(hour, minute), tz)


@pytest.fixture
def imap_mailbox(settings):
    """The intake mailbox on a loopback IMAP server (tests/comms/imap_server.py), wired into the settings."""
    from tests.comms.imap_server import ImapServer, Mailbox

    box = Mailbox()
    server = ImapServer(box).start()
    settings.INCOMING_IMAP_HOST, settings.INCOMING_IMAP_PORT = "127.0.0.1", server.port
    settings.INCOMING_IMAP_SSL = False
    settings.INCOMING_IMAP_USER, settings.INCOMING_IMAP_PASSWORD = box.user, box.password
    yield box
    server.stop()
