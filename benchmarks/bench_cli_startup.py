"""Start-up cost of the commands people run most often, as ratios to a floor measured in the same run.

`journeyctl --help`, `validate` and `schema` run on every commit (pre-commit) and in every CI job,
so they must cost little more than importing the libraries the CLI is built on. The floor is
`python -c "import typer, rich, ruamel.yaml, jsonschema"`; the target is at most 1.5x, for
`validate` with its parse cache filled (pre-commit's case: most commits change no journey).

Run by hand (not in CI): `python benchmarks/bench_cli_startup.py [--runs N]`. Each case runs N
times, interleaved with the floor so that the machine's load affects both alike; the median wall
and CPU (user + sys) times are printed with their ratio to the floor's.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET = 1.5


def _cases() -> dict[str, list[str]]:
    py = sys.executable
    return {
        "floor": [py, "-c", "import typer, rich, ruamel.yaml, jsonschema"],
        "--help": [py, "-m", "journeyctl", "--help"],
        "validate": [py, "-m", "journeyctl", "validate", str(ROOT / "sample_journeys")],
        # every file parsed again (a commit that changed them all); the target is for the above
        "(no cache)": [
            "env",
            "JOURNEYCTL_NO_CACHE=1",
            py,
            "-m",
            "journeyctl",
            "validate",
            str(ROOT / "sample_journeys"),
        ],
        "schema": [py, "-m", "journeyctl", "schema"],
    }


def _time(cmd: list[str]) -> tuple[float, float]:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    # as installed: with bytecode (some shells and CI images set this, and then every run
    # compiles journeyctl's modules from source, about 60 ms that no installed copy pays)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    cases = _cases()
    wall: dict[str, list[float]] = {k: [] for k in cases}
    cpu: dict[str, list[float]] = {k: [] for k in cases}
    for cmd in cases.values():  # a round not counted: bytecode and the parse cache
        _time(cmd)
    for _ in range(args.runs):
        for name, cmd in cases.items():
            w, c = _time(cmd)
            wall[name].append(w)
            cpu[name].append(c)
    floor_wall = statistics.median(wall["floor"])
    floor_cpu = statistics.median(cpu["floor"])
    print(
        f"{'command':10} {'wall ms':>8} {'x floor':>8} {'cpu ms':>8} {'x floor':>8}  target <= {TARGET}x"
    )
    for name in cases:
        w, c = statistics.median(wall[name]), statistics.median(cpu[name])
        print(
            f"{name:10} {w * 1000:8.0f} {w / floor_wall:8.2f} {c * 1000:8.0f} {c / floor_cpu:8.2f}"
        )


if __name__ == "__main__":
    main()
