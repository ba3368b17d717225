"""A local clearinghouse for the tests and the benchmark: it answers 270s with 271s built from the request
(the 271 builder lives in the app, clinicdesk.insurance.x12.fake271, so that the demo practice can use it too).

HTTP: a CAQH CORE real-time endpoint (MIME multipart form in, multipart form out) on 127.0.0.1, in a thread.
SFTP: an asyncssh server on 127.0.0.1 with a throw-away host key, rooted in a temporary folder, in a thread;
`process_drop_folder` plays the clearinghouse's batch side (270s from the outbound folder, 271s to the inbound).

What it answers depends on the member id asked about (so that one batch can hold every case):
  INACT... inactive coverage, REJ... an AAA rejection (subscriber not found: 75, correct and resend: C),
  SLOW... no answer before the client's time-out, BAD... a malformed 271, OTHER... a 271 for another patient,
  anything else: active coverage with co-pay, co-insurance, deductible and out-of-pocket remaining, visit limits.
`ClearinghouseHTTP.mode` forces one case for every request (e.g. "envelope-error", "http-500", "not-core").
"""

from __future__ import annotations

import asyncio
import datetime as dt
import email.utils
import threading
import time
import uuid
from collections.abc import Iterable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from clinicdesk.insurance.clearinghouse.core import REQUEST_TYPE, RESPONSE_TYPE, parse_form
from clinicdesk.insurance.x12 import e270, envelope
from clinicdesk.insurance.x12.fake271 import NOW, answer_271, benefits, case_for  # noqa: F401 (re-exported)

USERNAME, PASSWORD = "practice", "s3cret-for-tests"


# --- HTTP (CAQH CORE real time) --------------------------------------------------------------------------

def _multipart(fields: dict[str, str]) -> tuple[bytes, str]:
    boundary = "core-" + uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n')
    parts.append(f"--{boundary}--\r\n")
    return "".join(parts).encode("utf-8"), f"multipart/form-data; boundary={boundary}"


class _Handler(BaseHTTPRequestHandler):
    server: ClearinghouseHTTP

    def log_message(self, *args: object) -> None:  # quiet
        pass

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        fields = parse_form(self.headers.get("Content-Type", ""), body)
        self.server.requests.append(fields)
        mode = self.server.mode
        if mode == "http-500":
            return self._send(500, b"oops", "text/plain")
        if mode == "not-core":
            return self._send(200, b"<html>maintenance</html>", "text/html")
        reply = {"PayloadType": RESPONSE_TYPE, "ProcessingMode": "RealTime", "PayloadID": fields.get("PayloadID", ""),
                 "TimeStamp": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                 "SenderID": fields.get("ReceiverID", ""), "ReceiverID": fields.get("SenderID", ""),
                 "CORERuleVersion": fields.get("CORERuleVersion", ""), "ErrorCode": "Success",
                 "ErrorMessage": ""}
        if fields.get("UserName") != USERNAME or fields.get("Password") != PASSWORD:
            reply.update(ErrorCode="UnAuthorized", ErrorMessage="Wrong user name or password.", PayloadType="")
            data, kind = _multipart(reply)
            return self._send(401, data, kind)
        if fields.get("PayloadType") != REQUEST_TYPE or not fields.get("PayloadID") or mode == "envelope-error":
            reply.update(ErrorCode="PayloadTypeIncorrect" if mode != "envelope-error" else "VersionMismatch",
                         ErrorMessage="Not a 270 request.", PayloadType="")
            data, kind = _multipart(reply)
            return self._send(400, data, kind)
        payload = fields.get("Payload", "")
        try:
            interchange = envelope.read(payload)
            member = e270.read_transaction(interchange.transactions[0], interchange).subscriber.get("member_id", "")
        except envelope.X12Error:
            reply.update(ErrorCode="PayloadMissing", ErrorMessage="Unreadable 270.", PayloadType="")
            data, kind = _multipart(reply)
            return self._send(400, data, kind)
        if case_for(member) == "slow" or mode == "slow":
            time.sleep(self.server.slow_seconds)
        reply["Payload"] = answer_271(payload, case=mode if mode in ("inactive", "rejected", "malformed",
                                                                      "other-patient") else None)
        if self.server.delay:
            time.sleep(self.server.delay)
        data, kind = _multipart(reply)
        self._send(200, data, kind)

    def _send(self, status: int, data: bytes, kind: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Date", email.utils.formatdate(usegmt=True))
        self.end_headers()
        self.wfile.write(data)


class ClearinghouseHTTP(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.requests: list[dict[str, str]] = []
        self.mode = ""
        self.slow_seconds = 3.0
        self.delay = 0.0
        self.thread = threading.Thread(target=self.serve_forever, name="clearinghouse-http", daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/core/realtime"

    def __enter__(self) -> ClearinghouseHTTP:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()
        self.server_close()
        self.thread.join(timeout=5)


# --- SFTP (batch drop folders) --------------------------------------------------------------------------

class ClearinghouseSFTP:
    """asyncssh SFTP server on 127.0.0.1 with a throw-away host key; the client's files land under `root`."""

    def __init__(self, root: Path, keys: Path) -> None:
        import asyncssh

        self.root = root
        self.root.mkdir(parents=True, exist_ok=True)
        (root / "outbound").mkdir(exist_ok=True)
        (root / "inbound").mkdir(exist_ok=True)
        keys.mkdir(parents=True, exist_ok=True)
        key = asyncssh.generate_private_key("ssh-ed25519")
        self.host_key_path = keys / "host_key"
        key.write_private_key(str(self.host_key_path))
        self.public_key = key.export_public_key().decode().strip()
        self.known_hosts = keys / "known_hosts"
        self.port = 0
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="clearinghouse-sftp", daemon=True)
        self._server: object = None

    def write_known_hosts(self) -> None:
        self.known_hosts.write_text(f"[127.0.0.1]:{self.port} {self.public_key}\n")

    async def _start(self) -> None:
        import asyncssh

        root = str(self.root)

        class Server(asyncssh.SSHServer):
            def begin_auth(self, username: str) -> bool:
                return True

            def password_auth_supported(self) -> bool:
                return True

            def validate_password(self, username: str, password: str) -> bool:
                return username == USERNAME and password == PASSWORD

        def sftp_factory(chan: object) -> asyncssh.SFTPServer:
            return asyncssh.SFTPServer(chan, chroot=root)

        self._server = await asyncssh.create_server(Server, "127.0.0.1", 0, server_host_keys=[str(self.host_key_path)],
                                                    sftp_factory=sftp_factory, allow_scp=False)
        self.port = self._server.sockets[0].getsockname()[1]  # type: ignore[attr-defined]

    def __enter__(self) -> ClearinghouseSFTP:
        self.thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self.loop).result(timeout=10)
        self.write_known_hosts()
        return self

    def __exit__(self, *exc: object) -> None:
        async def stop() -> None:
            self._server.close()  # type: ignore[attr-defined]
            await self._server.wait_closed()  # type: ignore[attr-defined]

        asyncio.run_coroutine_threadsafe(stop(), self.loop).result(timeout=10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=5)


def process_drop_folder(outbound: Path, inbound: Path, *, case: str | None = None) -> list[str]:
    """The clearinghouse's batch side: every 270 file in `outbound` answered by a 271 file in `inbound`."""
    written = []
    for path in sorted(outbound.iterdir()):
        if path.name.startswith(".") or not path.is_file():
            continue
        text = answer_271(path.read_text(encoding="ascii"), case=case)
        target = inbound / path.name.replace("270-", "271-", 1)
        target.write_text(text, encoding="ascii")
        path.unlink()
        written.append(target.name)
    return written


def sample_271s(count: int, texts: Iterable[str]) -> list[str]:
    """`count` 271 interchanges answering the given 270s in turn (the benchmark's reading load)."""
    pool = [answer_271(text) for text in texts]
    return [pool[i % len(pool)] for i in range(count)]


def serve_main() -> None:
    """`python -m tests.insurance.clearinghouse`: the HTTP clearinghouse in its own process (the benchmark runs it
    so, as a real one would be); prints its URL, stops when standard input closes."""
    import os
    import sys

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinicdesk.settings")
    import django

    django.setup()
    with ClearinghouseHTTP() as server:
        print(server.url, flush=True)
        sys.stdin.read()


if __name__ == "__main__":
    serve_main()
