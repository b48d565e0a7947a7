"""Benchmark `journeyctl predict` (issue #9). Run by hand; prints figures.

    python -m benchmarks.bench_predict                     # 1M and 10M events
    python -m benchmarks.bench_predict --sizes 1000000 --target event:login

For each size it generates (once, cached under --data, shared with benchmarks/run.py) a seeded log
for the sample journeys with `python -m journeyctl.sampledata --events N`, then runs
`journeyctl predict FILE -j sample_journeys --format json` in a fresh process and prints wall
time, events per second and peak RSS, against the target of 10M events within 10 minutes and
6 GiB.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.run import ensure_log, rss_of  # noqa: E402

LIMIT_S = 600
LIMIT_MIB = 6 * 1024


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--sizes", default="1000000,10000000")
    ap.add_argument("--target", default="churned")
    ap.add_argument("--horizon", default="90d")
    ap.add_argument("--data", default=str(ROOT / "benchmarks" / "data"))
    ap.add_argument("--seed", type=int, default=11)
    args = ap.parse_args()
    data = Path(args.data)
    data.mkdir(parents=True, exist_ok=True)
    py = sys.executable
    print(f"{'events':>10} {'target':>14} {'wall s':>8} {'events/s':>10} {'peak MiB':>9}  verdict")
    for n in (int(s) for s in args.sizes.split(",")):
        path = ensure_log(data, n, args.seed)
        rows = sum(1 for _ in path.open("rb")) - 1
        cmd = [
            py,
            "-m",
            "journeyctl",
            "predict",
            str(path),
            "-j",
            str(ROOT / "sample_journeys"),
            "--target",
            args.target,
            "--horizon",
            args.horizon,
            "--format",
            "json",
            "--quiet",
        ]
        wall, peak = rss_of(cmd)
        # Training is capped at about 200,000 rows, so its cost hardly grows with the log:
        # the budget is an absolute one for the 10M log, not a rate.
        ok = wall <= LIMIT_S and peak <= LIMIT_MIB
        print(
            f"{rows:>10} {args.target:>14} {wall:>8.1f} {rows / wall:>10,.0f} {peak:>9.0f}  "
            f"{'within' if ok else 'OVER'} 10 min / 6 GiB"
        )


if __name__ == "__main__":
    main()
