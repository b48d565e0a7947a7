"""First `journeyctl place` with an empty numba cache against a warm run (issue 15). By hand:

    python benchmarks/bench_startup.py                   # the sample and 1M events
    python benchmarks/bench_startup.py --sizes 0         # the sample only

For each input it runs `place --format json` in a fresh process with NUMBA_CACHE_DIR pointing at a
new empty directory (what a fresh install or CI job meets), then `--warm` more times with that
cache filled, and prints the first run, the best warm run and their ratio. Targets: the sample at
most 3x warm, 1M events at most 1.3x. Size 0 means the sample; other sizes are generated once
(seeded) under --data, as benchmarks/run.py does.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.run import ensure_log

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_journeys"


def timed(events: Path, cache: str) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one `place` in a fresh process using numba cache `cache`."""
    env = {**os.environ, "NUMBA_CACHE_DIR": cache}
    cmd = [sys.executable, "-m", "journeyctl", "place", str(events), "-j", str(SAMPLE)]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.run(
        [*cmd, "--format", "json"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    wall = time.perf_counter() - t0
    if proc.returncode not in (0, 1):
        sys.exit(f"failed ({proc.returncode}): {proc.stderr.decode()[-2000:]}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="0,1000000", help="comma list; 0 = the sample")
    ap.add_argument("--warm", type=int, default=2, help="warm runs (the best counts)")
    ap.add_argument("--data", type=Path, default=ROOT / ".bench")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    # CPU time too: on a shared machine wall time also measures the neighbours
    print(
        f"{'input':>16} {'first s':>8} {'warm s':>8} {'ratio':>6}   {'CPU: first':>10} {'warm':>6} {'ratio':>6}"
    )
    for n in (int(x) for x in args.sizes.split(",")):
        events = SAMPLE / "events.csv" if n == 0 else ensure_log(args.data, n, args.seed)
        with tempfile.TemporaryDirectory(prefix="numba-cache-") as cache:
            first, first_cpu = timed(events, cache)
            runs = [timed(events, cache) for _ in range(args.warm)]
        warm, warm_cpu = min(w for w, _ in runs), min(c for _, c in runs)
        name = "sample" if n == 0 else f"{n:,} events"
        print(
            f"{name:>16} {first:8.2f} {warm:8.2f} {first / warm:5.2f}x"
            f"   {first_cpu:10.2f} {warm_cpu:6.2f} {first_cpu / warm_cpu:5.2f}x",
            flush=True,
        )


if __name__ == "__main__":
    main()
