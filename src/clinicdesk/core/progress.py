"""Progress bars for long commands (`backup`, `restore`, `audit verify`), drawn as `demo` and `import` draw theirs.

A service takes a `progress(stage, done, total)` callback and knows nothing of terminals; the command hands it
`ProgressBars(...)`, which draws one tqdm bar per stage on stderr. Bars are off with `--no-progress` (alias
`--quiet`) and whenever stderr is not a terminal (cron, a pipe, a log file), so that output stays clean.
"""

from __future__ import annotations

from types import TracebackType
from typing import IO, Any

from tqdm import tqdm


def add_progress_arguments(parser: Any) -> None:
    parser.add_argument("--no-progress", "--quiet", dest="no_progress", action="store_true",
                        help="draw no progress bars (they are drawn only on a terminal anyway)")


class ProgressBars:
    """`progress(stage, done, total)` as tqdm bars on `stream`; use as a context manager so the bars close."""

    def __init__(self, stream: IO[str], *, enabled: bool = True, units: dict[str, str] | None = None) -> None:
        isatty = getattr(stream, "isatty", None)
        self.stream = stream
        self.enabled = enabled and bool(isatty and isatty())
        self.units = units or {}
        self.bars: dict[str, tqdm] = {}

    def __call__(self, stage: str, done: int, total: int) -> None:
        if not self.enabled:
            return
        bar = self.bars.get(stage)
        if bar is None:
            unit = self.units.get(stage, " items")
            bar = self.bars[stage] = tqdm(total=total, desc=stage, file=self.stream, unit=unit.strip() or "it",
                                          unit_scale=unit.strip() == "B", dynamic_ncols=True, leave=True)
        bar.update(done - bar.n)

    def close(self) -> None:
        for bar in self.bars.values():
            bar.close()
        self.bars.clear()

    def __enter__(self) -> ProgressBars:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.close()
