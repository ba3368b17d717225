"""CPU seconds used so far by the server under test: its process tree, and the PostgreSQL backends connected to
its database. On a machine shared with other work, CPU per request says more than requests per second.

    python bench/load/cputime.py SERVER_PID postgres://.../postgres DBNAME     # prints {"app": s, "db": s}
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

TICK = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> tuple[int, float] | None:
    """(parent pid, CPU seconds) of a live process."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return int(fields[1]), (int(fields[11]) + int(fields[12])) / TICK  # ppid; utime + stime


def tree_cpu(root: int) -> float:
    stats = {int(p): s for p in os.listdir("/proc") if p.isdigit() and (s := _stat(int(p))) is not None}
    members, frontier = {root}, [root]
    while frontier:
        parent = frontier.pop()
        children = [pid for pid, (ppid, _cpu) in stats.items() if ppid == parent and pid not in members]
        members.update(children)
        frontier += children
    return sum(stats[pid][1] for pid in members if pid in stats)


def backends_cpu(url: str, database: str) -> float:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        pids = [row[0] for row in conn.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s", [database])]
    return sum(s[1] for pid in pids if (s := _stat(pid)) is not None)


if __name__ == "__main__":
    print(json.dumps({"app": round(tree_cpu(int(sys.argv[1])), 2),
                      "db": round(backends_cpu(sys.argv[2], sys.argv[3]), 2)}))
