"""Batch channels: drop folders. We put 270 interchanges in the outbound folder and pick 271 interchanges up
from the inbound folder (the clearinghouse's side moves them). Two transports with one shape: SFTP (asyncssh,
the server's host key checked against a known_hosts file) and a local folder (a mounted share, for small
practices)."""

from __future__ import annotations

import asyncio
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, Protocol

import asyncssh

from .core import ExchangeError


class DropFolder(Protocol):
    def put(self, name: str, text: str) -> None: ...

    def take(self) -> list[tuple[str, str]]: ...


@dataclass(frozen=True)
class LocalFolder:
    outbound: Path
    inbound: Path

    def put(self, name: str, text: str) -> None:
        self.outbound.mkdir(parents=True, exist_ok=True)
        # Written under a temporary name, then renamed: the other side never sees half a file.
        fd, temp = tempfile.mkstemp(dir=self.outbound, prefix=".part-")
        with os.fdopen(fd, "w", encoding="ascii", newline="") as handle:
            handle.write(text)
        os.replace(temp, self.outbound / name)

    def take(self) -> list[tuple[str, str]]:
        """Every finished file in the inbound folder, read and removed, oldest name first."""
        if not self.inbound.is_dir():
            return []
        found = []
        for path in sorted(self.inbound.iterdir()):
            if path.name.startswith(".") or not path.is_file():
                continue
            found.append((path.name, path.read_bytes().decode("ascii", "replace")))
            path.unlink()
        return found


@dataclass(frozen=True)
class SftpFolder:
    host: str
    port: int
    username: str
    password: str
    known_hosts: str  # path of a known_hosts file; the server's key must be in it
    outbound: str
    inbound: str
    timeout: float = 20.0
    client_key: str = ""  # path of a private key, instead of (or with) the password

    def _connect(self) -> Any:
        options: dict[str, object] = {"username": self.username, "known_hosts": self.known_hosts,
                                      "connect_timeout": self.timeout}
        if self.password:
            options["password"] = self.password
        if self.client_key:
            options["client_keys"] = [self.client_key]
        else:
            options["client_keys"] = None
        return asyncssh.connect(self.host, self.port, **options)

    def _run(self, coroutine: object) -> object:
        try:
            return asyncio.run(asyncio.wait_for(coroutine, timeout=self.timeout * 3))  # type: ignore[arg-type]
        except TimeoutError as error:
            raise ExchangeError("timeout", "The SFTP server did not answer in time.") from error
        except asyncssh.HostKeyNotVerifiable as error:
            raise ExchangeError("refused", "The SFTP server's host key is not the known one.") from error
        except asyncssh.PermissionDenied as error:
            raise ExchangeError("refused", "The SFTP server refused the sign-in.") from error
        except (OSError, asyncssh.Error) as error:
            raise ExchangeError("transport", f"SFTP failed: {type(error).__name__}.") from error

    def put(self, name: str, text: str) -> None:
        async def go() -> None:
            async with self._connect() as conn, conn.start_sftp_client() as sftp:
                target = str(PurePosixPath(self.outbound) / name)
                part = str(PurePosixPath(self.outbound) / f".part-{name}")
                async with sftp.open(part, "wb") as handle:
                    await handle.write(text.encode("ascii"))
                await sftp.rename(part, target)

        self._run(go())

    def take(self) -> list[tuple[str, str]]:
        async def go() -> list[tuple[str, str]]:
            found = []
            async with self._connect() as conn, conn.start_sftp_client() as sftp:
                for name in sorted(await sftp.listdir(self.inbound)):
                    if name.startswith("."):
                        continue
                    path = str(PurePosixPath(self.inbound) / name)
                    async with sftp.open(path, "rb") as handle:
                        data = await handle.read()
                    await sftp.remove(path)
                    found.append((name, bytes(data).decode("ascii", "replace")))
            return found

        return self._run(go())  # type: ignore[return-value]
