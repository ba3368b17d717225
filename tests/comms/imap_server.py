"""A small IMAP4rev1 server on loopback (asyncio, in a thread) good enough for imaplib: CAPABILITY, LOGIN, SELECT,
UID SEARCH (ALL / UNSEEN), UID FETCH (RFC822), UID STORE +FLAGS (\\Seen), NOOP, LOGOUT. One mailbox, INBOX."""

from __future__ import annotations

import asyncio
import re
import threading
from dataclasses import dataclass, field


@dataclass
class Mail:
    uid: int
    raw: bytes
    flags: set[str] = field(default_factory=set)


class Mailbox:
    def __init__(self, user: str = "intake", password: str = "secret") -> None:
        self.user, self.password = user, password
        self.mails: list[Mail] = []
        self.commands: list[str] = []
        self.lock = threading.Lock()

    def deliver(self, raw: bytes) -> int:
        with self.lock:
            uid = (self.mails[-1].uid if self.mails else 0) + 1
            self.mails.append(Mail(uid, raw))
            return uid

    def seen(self) -> list[int]:
        return [m.uid for m in self.mails if "\\Seen" in m.flags]


_ARGS = re.compile(r'"((?:[^"\\]|\\.)*)"|(\S+)')


def _args(text: str) -> list[str]:
    return [quoted.replace('\\"', '"').replace("\\\\", "\\") if quoted or bare == "" else bare
            for quoted, bare in _ARGS.findall(text)]


class _Session:
    def __init__(self, box: Mailbox, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.box, self.reader, self.writer = box, reader, writer
        self.authed = self.selected = False

    def send(self, line: str | bytes) -> None:
        self.writer.write((line.encode() if isinstance(line, str) else line) + b"\r\n")

    async def run(self) -> None:
        self.send("* OK [CAPABILITY IMAP4rev1] loopback test server ready")
        while line := await self.reader.readline():
            text = line.decode(errors="replace").rstrip("\r\n")
            tag, _sep, rest = text.partition(" ")
            command, _sep, args = rest.partition(" ")
            command = command.upper()
            self.box.commands.append(f"{command} {args}" if command != "LOGIN" else "LOGIN")
            if command == "UID":
                sub, _sep, args = args.partition(" ")
                command = f"UID {sub.upper()}"
            if not await self.handle(tag, command, args):
                break
            await self.writer.drain()
        await self.writer.drain()
        self.writer.close()

    def _seq(self, mail: Mail) -> int:
        return self.box.mails.index(mail) + 1

    def _mails(self, uid_set: str) -> list[Mail]:
        wanted: set[int] = set()
        for piece in uid_set.split(","):
            low, _sep, high = piece.partition(":")
            top = max((m.uid for m in self.box.mails), default=0)
            first = int(low) if low != "*" else top
            last = (int(high) if high not in ("", "*") else top) if _sep else first
            wanted.update(range(first, last + 1))
        return [m for m in self.box.mails if m.uid in wanted]

    async def handle(self, tag: str, command: str, args: str) -> bool:
        box = self.box
        if command == "CAPABILITY":
            self.send("* CAPABILITY IMAP4rev1")
        elif command == "NOOP":
            pass
        elif command == "LOGOUT":
            self.send("* BYE logging out")
            self.send(f"{tag} OK LOGOUT completed")
            return False
        elif command == "LOGIN":
            user, password = [*_args(args), "", ""][:2]
            if (user, password) != (box.user, box.password):
                self.send(f"{tag} NO [AUTHENTICATIONFAILED] invalid credentials")
                return True
            self.authed = True
        elif not self.authed:
            self.send(f"{tag} BAD log in first")
            return True
        elif command in ("SELECT", "EXAMINE"):
            self.selected = True
            with box.lock:
                self.send(f"* {len(box.mails)} EXISTS")
                self.send("* 0 RECENT")
                self.send("* FLAGS (\\Seen)")
                self.send("* OK [UIDVALIDITY 1] UIDs valid")
            self.send(f"{tag} OK [READ-WRITE] SELECT completed")
            return True
        elif not self.selected:
            self.send(f"{tag} BAD select a mailbox first")
            return True
        elif command == "UID SEARCH":
            criteria = args.upper().split()
            with box.lock:
                found = [m.uid for m in box.mails if "UNSEEN" not in criteria or "\\Seen" not in m.flags]
            self.send("* SEARCH" + "".join(f" {uid}" for uid in found))
        elif command == "UID FETCH":
            uid_set, _sep, items = args.partition(" ")
            if "RFC822" not in items.upper():
                self.send(f"{tag} BAD only RFC822 is fetched here")
                return True
            with box.lock:
                for mail in self._mails(uid_set):
                    self.send(f"* {self._seq(mail)} FETCH (UID {mail.uid} RFC822 {{{len(mail.raw)}}}".encode())
                    self.writer.write(mail.raw)
                    self.send(")")
                    mail.flags.add("\\Seen")  # RFC822 (not BODY.PEEK) sets \Seen, as real servers do
        elif command == "UID STORE":
            uid_set, _sep, rest = args.partition(" ")
            action, _sep, flags = rest.partition(" ")
            names = set(flags.strip("()").split())
            with box.lock:
                for mail in self._mails(uid_set):
                    if action.upper().startswith("+FLAGS"):
                        mail.flags |= names
                    elif action.upper().startswith("-FLAGS"):
                        mail.flags -= names
                    self.send(f"* {self._seq(mail)} FETCH (UID {mail.uid} FLAGS ({' '.join(sorted(mail.flags))}))")
        else:
            self.send(f"{tag} BAD unknown command")
            return True
        self.send(f"{tag} OK {command} completed")
        return True


class ImapServer:
    """Start with `start()`; `port` is then the loopback port; `stop()` ends it."""

    def __init__(self, box: Mailbox) -> None:
        self.box = box
        self.port = 0
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.server: asyncio.AbstractServer | None = None

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await _Session(self.box, reader, writer).run()

    def start(self) -> ImapServer:
        self.thread.start()
        future = asyncio.run_coroutine_threadsafe(asyncio.start_server(self._serve, "127.0.0.1", 0), self.loop)
        self.server = future.result(timeout=5)
        self.port = self.server.sockets[0].getsockname()[1]
        return self

    def stop(self) -> None:
        async def close() -> None:
            assert self.server is not None
            self.server.close()

        asyncio.run_coroutine_threadsafe(close(), self.loop).result(timeout=5)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=5)
