"""`clinicdesk x12 show`: any X12 file the system reads or writes, as JSON. Readers register by ST01, so the
billing work adds 837P, 835, 999 and 277CA with one `register` call each."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from . import e270, e271, e277ca, e835, e837p, e999, envelope
from .envelope import Interchange, Transaction, X12Error

Reader = Callable[[Interchange, Transaction], dict[str, Any]]
READERS: dict[str, Reader] = {}


def register(code: str, reader: Reader) -> None:
    READERS[code] = reader


register("270", e270.to_json)
register("271", e271.to_json)
register("837", e837p.to_json)
register("835", e835.to_json)
register("999", e999.to_json)
register("277", e277ca.to_json)


def show(text: str | bytes) -> dict[str, Any] | list[dict[str, Any]]:
    """One transaction: its JSON object; several in one interchange: a list of them. Raises X12Error."""
    interchange = envelope.read(text)
    out = []
    for transaction in interchange.transactions:
        reader = READERS.get(transaction.code)
        if reader is None:
            known = ", ".join(sorted(READERS))
            raise X12Error(f"Transaction {transaction.code} cannot be shown yet (known: {known}).")
        data = reader(interchange, transaction)
        data["interchange"] = {"sender": interchange.sender_id, "receiver": interchange.receiver_id,
                               "control_number": interchange.control_number,
                               "created": interchange.created.isoformat() if interchange.created else None,
                               "usage": interchange.usage}
        out.append(data)
    return out[0] if len(out) == 1 else out
