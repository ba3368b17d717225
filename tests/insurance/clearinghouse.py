"""A local clearinghouse for the tests and the benchmark: it answers 270s with 271s built from the request.

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

USERNAME, PASSWORD = "practice", "s3cret-for-tests"
NOW = dt.datetime(2026, 11, 23, 15, 0)


def case_for(member_id: str) -> str:
    for prefix, case in (("INACT", "inactive"), ("REJ", "rejected"), ("SLOW", "slow"), ("BAD", "malformed"),
                         ("OTHER", "other-patient")):
        if member_id.upper().startswith(prefix):
            return case
    return "active"


def _person_segments(person: dict[str, str], entity: str, with_id: bool) -> list[list[str]]:
    rows = [["NM1", entity, "1", person.get("family_name", ""), person.get("given_name", ""), "", "", "",
             "MI" if with_id else "", person.get("member_id", "") if with_id else ""]]
    if person.get("birth_date"):
        rows.append(["DMG", "D8", person["birth_date"].replace("-", ""), person.get("sex", "")])
    return rows


def benefits(case: str, level_rows: list[list[str]]) -> None:
    if case == "inactive":
        level_rows.append(["EB", "6", "IND", "30"])
        level_rows.append(["MSG", "COVERAGE TERMINATED 20260930"])
        return
    level_rows += [
        ["EB", "1", "FAM", "30", "PR", "GOLD PPO 2000"],
        ["EB", "B", "IND", "98", "PR", "", "27", "25", "", "", "", "", "Y"],
        ["EB", "B", "IND", "98", "PR", "", "27", "60", "", "", "", "", "N"],
        ["EB", "A", "IND", "98^UC", "PR", "", "", "", "0.2", "", "", "", "Y"],
        ["EB", "C", "IND", "30", "PR", "", "23", "1500", "", "", "", "", "Y"],
        ["EB", "C", "IND", "30", "PR", "", "29", "612.45", "", "", "", "", "Y"],
        ["EB", "G", "IND", "30", "PR", "", "23", "6000", "", "", "", "", "Y"],
        ["EB", "G", "IND", "30", "PR", "", "29", "4321.10", "", "", "", "", "Y"],
        ["EB", "F", "IND", "PT", "PR", "", "23", "", "", "VS", "20", "", "Y"],
        ["HSD", "VS", "20", "", "", "23"],
        ["MSG", "PHYSICAL THERAPY LIMITED TO 20 VISITS PER CALENDAR YEAR"],
        ["EB", "L", "", "30"],
        ["LS", "2120"],
        ["NM1", "P3", "1", "WELBY", "MARCUS", "", "", "", "XX", "1245319599"],
        ["LE", "2120"],
    ]


def answer_271(request_270: str, *, case: str | None = None) -> str:
    """The 271 interchange answering every 270 transaction in `request_270`."""
    interchange = envelope.read(request_270)
    transactions = []
    broken = False
    for transaction in interchange.transactions:
        asked = e270.read_transaction(transaction, interchange)
        which = case or case_for(asked.subscriber.get("member_id", ""))
        broken = broken or which == "malformed"
        rows: list[list[str]] = [
            ["BHT", "0022", "11", uuid.uuid4().hex[:20].upper(), NOW.strftime("%Y%m%d"), NOW.strftime("%H%M")],
            ["HL", "1", "", "20", "1"],
            ["NM1", "PR", "2", asked.payer_name, "", "", "", "", "PI", asked.payer_id],
            ["HL", "2", "1", "21", "1"],
            ["NM1", "1P", "2", asked.provider_name, "", "", "", "", "XX", asked.provider_npi],
            ["HL", "3", "2", "22", "1" if asked.dependent else "0"],
        ]
        trace = asked.trace_number
        subscriber = dict(asked.subscriber)
        dependent = dict(asked.dependent) if asked.dependent is not None else None
        if which == "other-patient":
            trace = "CD" + uuid.uuid4().hex[:18].upper()
            (dependent or subscriber).update({"family_name": "SOMEONE", "given_name": "ELSE"})
        patient_rows: list[list[str]] = []
        if dependent is None:
            rows.append(["TRN", "2", trace, "9877281234"])
            rows += _person_segments(subscriber, "IL", True)
            patient_rows = rows
        else:
            rows += _person_segments(subscriber, "IL", True)
            rows.append(["HL", "4", "3", "23", "0"])
            rows.append(["TRN", "2", trace, "9877281234"])
            rows += _person_segments(dependent, "03", False)
            patient_rows = rows
        if which == "rejected":
            # AAA sits right after the NM1 (and before DMG) in 2100C/D
            index = max(i for i, r in enumerate(patient_rows) if r[0] == "NM1")
            patient_rows.insert(index + 1, ["AAA", "N", "", "75", "C"])
        else:
            patient_rows.append(["DTP", "346", "D8", "20260101"])
            benefits(which, patient_rows)
        transactions.append(("271", rows))
    text = envelope.write(sender_id=interchange.receiver_id, receiver_id=interchange.sender_id,
                          control_number=int(interchange.control_number), functional_id="HB",
                          application_sender=interchange.receiver_id, application_receiver=interchange.sender_id,
                          implementation=e270.IMPLEMENTATION, transactions=transactions, created=NOW)
    if broken:
        return text[: len(text) // 2]  # cut short: no IEA
    return text


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
