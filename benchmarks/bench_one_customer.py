"""One customer with very many events: placing must grow linearly in them (issue 14). By hand:

    python benchmarks/bench_one_customer.py                    # 60k and 600k extra events
    python benchmarks/bench_one_customer.py --sizes 50000,200000,800000

Each input is the sample plus N logins, feature uses and report views of one of its customers,
one a minute;
`place --format json` runs in memory with the compiled engine (the inputs are above the reference
engine's threshold). The floor is the sample padded to the same size with N events spread over
its 400 customers, measured in the same run: the busy customer should cost about what as many
events of ordinary customers cost, whatever N (the kernel's window scans made it quadratic: one
customer of 200k events took 17 s).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_journeys"
EVENTS = SAMPLE / "events.csv"
START = dt.datetime(2024, 3, 5, tzinfo=dt.UTC)
BUSY = "c-00114"  # signed up on 2024-03-04, on the analytics SMB EMEA journey


def write_log(path: Path, extra: int, customers: list[str]) -> None:
    """The sample plus `extra` events dealt round-robin to `customers`."""
    header = EVENTS.read_text().splitlines()[0].split(",")
    feature = header.index("feature")
    with path.open("w") as fh:
        fh.write(EVENTS.read_text())
        for i in range(extra):
            cells = [""] * len(header)
            at = START + dt.timedelta(minutes=i)
            name = ("login", "feature_used", "login", "report_viewed")[i % 4]
            cells[:3] = [customers[i % len(customers)], f"{at:%Y-%m-%dT%H:%M:%SZ}", name]
            if name == "feature_used":
                cells[feature] = f"f{i % 7}"
            fh.write(",".join(cells) + "\n")


def cpu_of(events: Path) -> float:
    """CPU seconds of one `place --format json` in a fresh process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    cmd = [sys.executable, "-m", "journeyctl", "place", str(events), "-j", str(SAMPLE), "-q"]
    proc = subprocess.run([*cmd, "-f", "json"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    if proc.returncode not in (0, 1):
        sys.exit(f"failed ({proc.returncode}): {proc.stderr.decode()[-2000:]}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="60000,600000", help="comma list of extra events")
    args = ap.parse_args()
    ids = sorted({line.split(",", 1)[0] for line in EVENTS.read_text().splitlines()[1:]})
    print(f"{'extra events':>12} {'spread s':>9} {'one customer s':>15} {'ratio':>6}")
    with tempfile.TemporaryDirectory(prefix="bench-one-") as tmp:
        cpu_of(EVENTS)  # compile the kernels once, outside the figures
        for n in (int(x) for x in args.sizes.split(",")):
            spread, busy = Path(tmp, "spread.csv"), Path(tmp, "busy.csv")
            write_log(spread, n, ids)
            write_log(busy, n, [BUSY])
            floor, one = cpu_of(spread), cpu_of(busy)
            print(f"{n:>12,} {floor:9.2f} {one:15.2f} {one / floor:5.2f}x", flush=True)
            os.remove(spread)
            os.remove(busy)


if __name__ == "__main__":
    main()
