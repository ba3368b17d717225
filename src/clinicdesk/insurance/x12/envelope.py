"""The X12 envelope (ISA/GS/ST ... SE/GE/IEA), read and written with pyx12.

Text in, plain data out; no database. Reading uses pyx12's raw reader, which takes the delimiters from the ISA
segment (element separator at position 4, repetition separator ISA11, component separator ISA16, segment
terminator after ISA16) and cuts the segments; the trailers' counts and control numbers are checked here.
Writing uses pyx12's X12Writer, which writes the trailers with their counts. A file that pyx12 cannot read, that
is not 5010 (ISA12 00501, GS08 005010...), or that stops before its IEA raises `X12Error` with one plain sentence.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import pyx12.errors
import pyx12.rawx12file
import pyx12.segment
import pyx12.x12file

VERSION = "00501"


class X12Error(ValueError):
    """The input is not a readable 5010 X12 interchange. The message is one plain sentence."""


@dataclass(frozen=True)
class Delimiters:
    element: str = "*"
    component: str = ":"
    repetition: str = "^"
    segment: str = "~"


@dataclass
class Segment:
    """One segment: its id and its elements as text (index 1 is the first element, as in EB01)."""

    id: str
    elements: list[str]

    def __getitem__(self, position: int) -> str:
        """Element `position` (1-based); '' when the segment is shorter."""
        return self.elements[position - 1] if 0 < position <= len(self.elements) else ""


@dataclass
class Transaction:
    """One ST ... SE transaction set inside its functional group."""

    code: str  # ST01: 270, 271, 837, 835, 999, 277
    control_number: str  # ST02
    implementation: str  # ST03 (or GS08): 005010X279A1
    segments: list[Segment]  # between ST and SE, both excluded


@dataclass
class Interchange:
    sender_id: str
    receiver_id: str
    control_number: str
    created: dt.datetime | None
    usage: str  # P production, T test
    delimiters: Delimiters
    functional_id: str = ""  # GS01: HS (270), HB (271)
    transactions: list[Transaction] = field(default_factory=list)


def _text(value: str | None) -> str:
    return (value or "").strip()


def _isa_date(date: str, time: str) -> dt.datetime | None:
    try:
        return dt.datetime.strptime(f"{date}{time}", "%y%m%d%H%M")
    except ValueError:
        return None


def read(text: str | bytes) -> Interchange:
    """Read one interchange (the first, when a file holds several). Raises X12Error.

    pyx12's raw reader finds the delimiters in the ISA and cuts the segments; each segment's elements are its
    text split at the element separator pyx12 found (what pyx12's Segment does, without its per-element
    objects, which cost more than the rest of a 271's reading). The trailers are checked as pyx12's X12Reader
    checks them: SE01 counts the segments and SE02 repeats ST02, GE01 counts the transactions and GE02 repeats
    GS06, IEA01 counts the groups and IEA02 repeats ISA13."""
    if isinstance(text, bytes):
        try:
            text = text.decode("ascii")
        except UnicodeDecodeError as error:
            raise X12Error("This is not an X12 file: it holds characters outside ASCII.") from error
    stripped = text.lstrip("\ufeff \r\n\t")
    if not stripped.startswith("ISA"):
        raise X12Error("This is not an X12 file: it does not start with an ISA segment.")
    try:
        raw = pyx12.rawx12file.RawX12File(io.StringIO(stripped))
    except pyx12.errors.X12Error as error:
        message = str(error)
        if "Version" in message:
            raise X12Error("This X12 file is not version 5010 (ISA12 must be 00501).") from error
        raise X12Error("This is not a readable X12 file: its ISA segment is damaged.") from error
    if raw.icvn != VERSION:
        raise X12Error(f"This X12 file is version {raw.icvn}, not 5010 (00501).")
    seg_term, ele_term, sub_term, _eol, repetition = raw.get_term()
    delimiters = Delimiters(element=ele_term, component=sub_term, repetition=repetition or "^", segment=seg_term)
    interchange: Interchange | None = None
    current: Transaction | None = None
    closed = False
    group_version = ""
    groups = 0
    group_count = ""
    transactions_in_group = 0
    for line in raw:
        line = line.strip("\r\n")
        elements = line.split(ele_term)
        sid = elements[0].strip()
        if not sid.isalnum() or not 2 <= len(sid) <= 3:
            raise X12Error(f"This X12 file holds a damaged segment: '{line[:20]}'.")
        seg = Segment(id=sid, elements=elements[1:])
        if closed:
            break  # a second interchange in the same file: read the first only
        if sid == "ISA":
            if len(seg.elements) != 16:
                raise X12Error("This is not a readable X12 file: its ISA segment is damaged.")
            interchange = Interchange(sender_id=_text(seg[6]), receiver_id=_text(seg[8]),
                                      control_number=seg[13], created=_isa_date(seg[9], seg[10]),
                                      usage=seg[15], delimiters=delimiters)
        elif interchange is None:
            raise X12Error("This X12 file does not start with an ISA segment.")
        elif sid == "GS":
            interchange.functional_id = seg[1]
            if seg[8] and not seg[8].startswith("005010"):
                raise X12Error(f"This X12 group is version {seg[8]}, not 5010 (005010...).")
            group_version, group_count, transactions_in_group = seg[8], seg[6], 0
            groups += 1
        elif sid == "ST":
            if current is not None:
                raise X12Error(f"Transaction {current.control_number} has no SE trailer.")
            current = Transaction(code=seg[1], control_number=seg[2], implementation=seg[3] or group_version,
                                  segments=[])
            interchange.transactions.append(current)
            transactions_in_group += 1
        elif sid == "SE":
            if current is None or seg[2] != current.control_number:
                raise X12Error(f"This X12 file's envelope does not add up: SE {seg[2]} closes no open ST.")
            if seg[1] != str(len(current.segments) + 2):
                raise X12Error(f"This X12 file's envelope does not add up: SE {seg[2]} counts {seg[1]} "
                               f"segments, the transaction holds {len(current.segments) + 2}.")
            current = None
        elif sid == "GE":
            if current is not None or seg[2] != group_count or seg[1] != str(transactions_in_group):
                raise X12Error(f"This X12 file's envelope does not add up: GE {seg[2]} does not close its group.")
        elif sid == "IEA":
            if seg[2] != interchange.control_number or seg[1] != str(groups):
                raise X12Error("This X12 file's envelope does not add up: IEA does not match its ISA.")
            closed = True
        elif current is not None:
            current.segments.append(seg)
        else:
            raise X12Error(f"Segment {sid} stands outside any transaction (ST ... SE).")
    if interchange is None:
        raise X12Error("This X12 file holds no interchange.")
    if not closed:
        raise X12Error("This X12 file is cut short: it ends before its IEA trailer.")
    if not interchange.transactions:
        raise X12Error("This X12 file holds no transaction (ST ... SE).")
    return interchange


def repeats(value: str, delimiters: Delimiters) -> list[str]:
    """The repetitions of a repeating element (5010 EB03), in order, empty ones left out."""
    return [part for part in value.split(delimiters.repetition) if part]


def components(value: str, delimiters: Delimiters) -> list[str]:
    return value.split(delimiters.component)


# --- writing -----------------------------------------------------------------------------------------------

def _pad(value: str, width: int) -> str:
    return value[:width].ljust(width)


def write(*, sender_id: str, receiver_id: str, control_number: int, functional_id: str, application_sender: str,
          application_receiver: str, implementation: str, transactions: Iterable[tuple[str, Sequence[Sequence[str]]]],
          created: dt.datetime, usage: str = "P", delimiters: Delimiters = Delimiters(),
          implementation_in_st: bool = True) -> str:
    """One interchange with one functional group. `transactions` are (ST01, segments) pairs, each segment a list
    [id, element1, element2, ...]; ST, SE, GS, GE, ISA and IEA (with their counts) are written here, by pyx12.
    `implementation_in_st=False` leaves ST03 out (the 835 TR3 does not use it; GS08 still names the guide)."""
    out = io.StringIO()
    d = delimiters
    writer = pyx12.x12file.X12Writer(out, seg_term=d.segment, ele_term=d.element, subele_term=d.component,
                                     eol="\n", repetition_term=d.repetition)
    number = f"{control_number:09d}"

    def put(values: Sequence[str]) -> None:
        line = d.element.join(values)
        writer.Write(pyx12.segment.Segment(line, d.segment, d.element, d.component, d.repetition))

    put(["ISA", "00", _pad("", 10), "00", _pad("", 10), "ZZ", _pad(sender_id, 15), "ZZ", _pad(receiver_id, 15),
         created.strftime("%y%m%d"), created.strftime("%H%M"), d.repetition, VERSION, number, "0", usage,
         d.component])
    put(["GS", functional_id, application_sender, application_receiver, created.strftime("%Y%m%d"),
         created.strftime("%H%M"), str(control_number), "X", implementation])
    for index, (code, segments) in enumerate(transactions, start=1):
        put(["ST", code, f"{index:04d}", implementation] if implementation_in_st else ["ST", code, f"{index:04d}"])
        for values in segments:
            put(_trim([str(v) for v in values]))
        put(["SE", "0", f"{index:04d}"])  # pyx12 writes the real count
    put(["GE", "0", str(control_number)])
    put(["IEA", "0", number])
    writer.close()
    return out.getvalue()


def write_plain(*, sender_id: str, receiver_id: str, control_number: int, functional_id: str,
                application_sender: str, application_receiver: str, implementation: str,
                transactions: Iterable[tuple[str, Sequence[Sequence[str]]]], created: dt.datetime,
                usage: str = "P", delimiters: Delimiters = Delimiters(), implementation_in_st: bool = True) -> str:
    """What `write` writes, byte for byte, without pyx12's per-segment objects: for batches of thousands of
    claims, where pyx12's writer costs four fifths of the time. Elements are joined as they are given (the
    callers clean them: no separator ever reaches an element); trailing empty elements are dropped; the
    trailers' counts are computed here."""
    d = delimiters
    end = d.segment + "\n"
    sep = d.element
    number = f"{control_number:09d}"
    out: list[str] = [sep.join(["ISA", "00", _pad("", 10), "00", _pad("", 10), "ZZ", _pad(sender_id, 15), "ZZ",
                                _pad(receiver_id, 15), created.strftime("%y%m%d"), created.strftime("%H%M"),
                                d.repetition, VERSION, number, "0", usage, d.component]),
                      sep.join(["GS", functional_id, application_sender, application_receiver,
                                created.strftime("%Y%m%d"), created.strftime("%H%M"), str(control_number), "X",
                                implementation])]
    count = 0
    for index, (code, segments) in enumerate(transactions, start=1):
        count = index
        control = f"{index:04d}"
        out.append(sep.join(["ST", code, control, implementation] if implementation_in_st else ["ST", code, control]))
        for values in segments:
            out.append(sep.join(_trim([str(v) for v in values])))
        out.append(sep.join(["SE", str(len(segments) + 2), control]))
    out.append(sep.join(["GE", str(count), str(control_number)]))
    out.append(sep.join(["IEA", "1", number]))
    return end.join(out) + end


def _trim(values: list[str]) -> list[str]:
    """Drop trailing empty elements (X12 forbids trailing separators)."""
    while len(values) > 1 and values[-1] == "":
        values.pop()
    return values
