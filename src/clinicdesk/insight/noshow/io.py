"""The appointment-history CSV (docs/insight.md): read and check it, turn it into the frame the features use.

Header: `patient_ref,booked_at,start,age,sex,area,reminder_sent,outcome`, an optional `appointment_ref`, and any
number of extra numeric (or 0/1) feature columns. `outcome` is `attended`, `noshow` or empty (a row to score).
Every problem names the line of the file (line 1 is the header, so data row N is line N + 1); nothing is trained
on a file with a problem.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import numpy as np
import pandas as pd

REQUIRED = ("patient_ref", "booked_at", "start", "age", "sex", "area", "reminder_sent", "outcome")
OPTIONAL = ("appointment_ref",)
OUTCOMES = ("attended", "noshow", "")
_TRUE = {"1", "true", "yes", "y"}
_FALSE = {"0", "false", "no", "n"}
_OFFSET = r"(?:[Zz]|[+-]\d{2}(?::?\d{2})?)$"


class HistoryError(ValueError):
    """The history CSV cannot be used as it is: the message names the line and the column."""

    def __init__(self, message: str, *, line: int | None = None) -> None:
        self.line = line
        super().__init__(f"line {line}: {message}" if line is not None else message)


@dataclass
class History:
    """The checked history: one row per appointment, in file order.

    Columns: patient_ref (str), booked_at / start (UTC instants, datetime64[ns, UTC]), start_local (the wall-clock
    time as written, for weekday and hour), age (float, NaN when blank), sex, area (str), reminder_sent (0/1),
    outcome (`attended`, `noshow` or ``), appointment_ref (str, when the file has it), then the extra columns
    (float)."""

    frame: pd.DataFrame
    extras: list[str]
    has_ref: bool

    @property
    def labelled(self) -> pd.Series:
        return self.frame["outcome"] != ""


def _line(index: Any) -> int:
    return int(index) + 2  # header is line 1


def _first_bad(mask: pd.Series | np.ndarray) -> int | None:
    positions = np.flatnonzero(np.asarray(mask))
    return int(positions[0]) if len(positions) else None


def _instants(values: pd.Series, column: str) -> tuple[pd.Series, pd.Series]:
    """(UTC instant, wall-clock time as written) of ISO 8601 texts; a value without an offset is read as UTC."""
    stripped = values.str.strip()
    utc = pd.to_datetime(stripped, format="ISO8601", utc=True, errors="coerce")
    local = pd.to_datetime(stripped.str.replace(_OFFSET, "", regex=True), format="ISO8601", errors="coerce")
    bad = _first_bad(utc.isna() | local.isna())
    if bad is not None:
        raise HistoryError(f"{column} {values.iloc[bad]!r} is not an ISO 8601 date and time "
                           "(e.g. 2026-03-02T09:30:00 or 2026-03-02T09:30:00-05:00).", line=_line(bad))
    return utc, local


def _numbers(values: pd.Series, column: str, *, low: float | None = None, high: float | None = None) -> pd.Series:
    text = values.str.strip()
    numbers = pd.to_numeric(text.where(text != "", np.nan), errors="coerce")
    bad = _first_bad(numbers.isna() & (text != ""))
    if bad is not None:
        raise HistoryError(f"{column} {values.iloc[bad]!r} is not a number.", line=_line(bad))
    if low is not None or high is not None:
        out = (numbers < (low if low is not None else -np.inf)) | (numbers > (high if high is not None else np.inf))
        bad = _first_bad(out.fillna(False))
        if bad is not None:
            raise HistoryError(f"{column} {values.iloc[bad]!r} is out of range ({low} to {high}).", line=_line(bad))
    return numbers.astype("float64")


def _flags(values: pd.Series, column: str) -> pd.Series:
    text = values.str.strip().str.lower()
    bad = _first_bad(~(text.isin(_TRUE) | text.isin(_FALSE)))
    if bad is not None:
        raise HistoryError(f"{column} must be 0 or 1, not {values.iloc[bad]!r}.", line=_line(bad))
    return text.isin(_TRUE).astype("int8")


def check_columns(header: Iterable[str]) -> list[str]:
    """The extra feature columns of a header, or a HistoryError naming what is missing or repeated."""
    names = [name.strip() for name in header]
    seen: set[str] = set()
    for name in names:
        if not name:
            raise HistoryError("the header has an empty column name.", line=1)
        if name in seen:
            raise HistoryError(f"column {name!r} appears twice in the header.", line=1)
        seen.add(name)
    missing = [name for name in REQUIRED if name not in seen]
    if missing:
        raise HistoryError("missing column" + ("s " if len(missing) > 1 else " ") + ", ".join(missing)
                           + f" (the header must have {','.join(REQUIRED)}).", line=1)
    return [name for name in names if name not in REQUIRED and name not in OPTIONAL]


def read_history(source: str | Path | IO[str]) -> History:
    """Read and check a history CSV (a path or an open text file)."""
    try:
        raw = pd.read_csv(source, dtype=str, keep_default_na=False, na_filter=False, skipinitialspace=False,
                          engine="c")
    except FileNotFoundError:
        raise HistoryError(f"no such file: {source}") from None
    except pd.errors.EmptyDataError:
        raise HistoryError("the file is empty (it needs a header line).") from None
    except pd.errors.ParserError as error:
        raise HistoryError(f"the file is not a well-formed CSV ({error}).") from None
    except UnicodeDecodeError:
        raise HistoryError("the file is not UTF-8 text.") from None
    raw.columns = [str(name).strip() for name in raw.columns]
    extras = check_columns(raw.columns)
    return from_text_frame(raw, extras)


def read_history_text(text: str) -> History:
    return read_history(io.StringIO(text))


def from_text_frame(raw: pd.DataFrame, extras: list[str]) -> History:
    """Check a frame of texts with the CSV's columns (as read) and type it."""
    raw = raw.reset_index(drop=True)
    frame = pd.DataFrame(index=raw.index)
    refs = raw["patient_ref"].str.strip()
    bad = _first_bad(refs == "")
    if bad is not None:
        raise HistoryError("patient_ref is empty.", line=_line(bad))
    frame["patient_ref"] = refs
    frame["booked_at"], _booked_local = _instants(raw["booked_at"], "booked_at")
    frame["start"], frame["start_local"] = _instants(raw["start"], "start")
    bad = _first_bad(frame["start"] < frame["booked_at"])
    if bad is not None:
        raise HistoryError(f"start {raw['start'].iloc[bad]!r} is before booked_at {raw['booked_at'].iloc[bad]!r}.",
                           line=_line(bad))
    frame["age"] = _numbers(raw["age"], "age", low=0, high=130)
    frame["sex"] = raw["sex"].str.strip().str.lower()
    frame["area"] = raw["area"].str.strip().str.upper()
    frame["reminder_sent"] = _flags(raw["reminder_sent"], "reminder_sent")
    outcome = raw["outcome"].str.strip().str.lower()
    bad = _first_bad(~outcome.isin(OUTCOMES))
    if bad is not None:
        raise HistoryError(f"outcome {raw['outcome'].iloc[bad]!r} is not attended, noshow or empty.",
                           line=_line(bad))
    frame["outcome"] = outcome
    has_ref = "appointment_ref" in raw.columns
    if has_ref:
        frame["appointment_ref"] = raw["appointment_ref"].str.strip()
    for name in extras:
        frame[name] = _numbers(raw[name], name)
    return History(frame=frame, extras=list(extras), has_ref=has_ref)


def from_records(records: list[dict[str, Any]], *, extras: list[str] | None = None) -> History:
    """The same frame from already-typed records (the practice's own history): booked_at/start aware datetimes,
    start_local the wall-clock time at the location, age a number or None, reminder_sent a bool, outcome
    `attended`, `noshow` or ``."""
    extras = list(extras or [])
    columns = [*REQUIRED, "start_local", "appointment_ref", *extras]
    frame = pd.DataFrame.from_records(records, columns=columns)
    if frame.empty:
        frame = pd.DataFrame({name: pd.Series(dtype="object") for name in columns})
    frame["patient_ref"] = frame["patient_ref"].astype(str)
    frame["booked_at"] = pd.to_datetime(frame["booked_at"], utc=True)
    frame["start"] = pd.to_datetime(frame["start"], utc=True)
    frame["start_local"] = pd.to_datetime(frame["start_local"])
    frame["age"] = pd.to_numeric(frame["age"], errors="coerce").astype("float64")
    frame["sex"] = frame["sex"].fillna("").astype(str).str.lower()
    frame["area"] = frame["area"].fillna("").astype(str).str.upper()
    frame["reminder_sent"] = frame["reminder_sent"].fillna(False).astype("int8")
    frame["outcome"] = frame["outcome"].fillna("").astype(str)
    frame["appointment_ref"] = frame["appointment_ref"].astype(str)
    for name in extras:
        frame[name] = pd.to_numeric(frame[name], errors="coerce").astype("float64")
    return History(frame=frame, extras=extras, has_ref=True)


def write_predictions(path: str | Path, history: History, probabilities: np.ndarray) -> int:
    """PRED.csv for the rows to score (empty outcome): `appointment_ref,probability`, or `row,probability` where
    `row` is the 1-based data row number (the header is not counted: row 1 is the file's line 2)."""
    mask = ~history.labelled.to_numpy()
    if history.has_ref:
        out = pd.DataFrame({"appointment_ref": history.frame["appointment_ref"].to_numpy()[mask]})
    else:
        out = pd.DataFrame({"row": np.flatnonzero(mask) + 1})
    out["probability"] = np.round(probabilities, 6)
    out.to_csv(path, index=False)
    return len(out)
