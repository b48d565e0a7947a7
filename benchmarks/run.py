"""Benchmark harness for `journeyctl place` (issue #6). Run by hand; prints figures.

    python benchmarks/run.py                      # 1M, 2M, 5M and 10M events
    python benchmarks/run.py --sizes 1000000 --formats table
    python benchmarks/run.py --sizes 10000000 --stream 10000000,50000000 --formats json

For each size it generates (once, cached under --data) a seeded log for the sample journeys with
about 20 events per customer, then measures in fresh processes:
  - the floor: pyarrow.csv.read_csv of the file plus a polars sort by (customer_id, timestamp);
  - `journeyctl place FILE -j sample_journeys` with table output and with --format json;
  - `journeyctl analyze FILE -j sample_journeys --format json` (format `analyze`);
and prints wall time, events per second, peak RSS and the ratio to the floor, then the growth of
time per event from the smallest to the largest size, and analyze against place --format json
(the goal: within 1.5x its time and within its memory).

With --inputs csv,parquet each size is also measured as Parquet (the same log written by
`python -m journeyctl.events.convert`, cached beside the CSV), and the JSON of every input must
be byte for byte the CSV's (sha256).

With --stream SIZES it also runs the streaming mode (`--memory-limit`, 2G by default) on those
sizes with JSON output, prints the same figures, and checks that its JSON is byte for byte the
in-memory JSON (sha256 of both; the in-memory run is skipped above --compare-up-to events).

With --cluster SIZES it runs `--cluster local:2` (or --cluster-address) on those sizes the same
way; its peak is the largest process's (with local:N, a worker is a child of the client). The
in-memory run of each of those sizes (up to --compare-up-to) is measured once and printed beside
them:

    python benchmarks/run.py --sizes '' --stream 10000000,50000000 --cluster 10000000,50000000
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

FLOOR = """
import sys, pyarrow.csv as pacsv, polars as pl
t = pacsv.read_csv(sys.argv[1])
df = pl.from_arrow(t).sort(["customer_id", "timestamp"], maintain_order=True)
print(df.height)
"""


def measure(cmd: list[str], stdout: int | None = subprocess.DEVNULL) -> tuple[float, float]:
    """(wall seconds, peak RSS in MiB) of a child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, stdout=stdout, stderr=subprocess.PIPE, check=False)
    wall = time.perf_counter() - t0
    if proc.returncode not in (0, 1):
        sys.exit(f"failed ({proc.returncode}): {' '.join(cmd)}\n{proc.stderr.decode()[-2000:]}")
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    # ru_maxrss of children is the max over all children so far: run the largest last
    return wall, max(peak, before) / 1024


def rss_of(cmd: list[str]) -> tuple[float, float]:
    """Wall time and peak RSS via /usr/bin/time when available (exact per process)."""
    if os.path.exists("/usr/bin/time"):
        t0 = time.perf_counter()
        proc = subprocess.run(
            ["/usr/bin/time", "-f", "%M", *cmd],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            check=False,
        )
        wall = time.perf_counter() - t0
        if proc.returncode not in (0, 1):
            sys.exit(f"failed ({proc.returncode}): {' '.join(cmd)}\n{proc.stderr.decode()[-2000:]}")
        kib = int(proc.stderr.decode().strip().splitlines()[-1])
        return wall, kib / 1024
    return measure(cmd)


def json_digest(cmd: list[str], out: Path) -> tuple[float, float, str]:
    """Run a JSON-producing command into `out`; (wall, peak MiB, sha256 of the output)."""
    import hashlib

    with out.open("wb") as fh:
        t0 = time.perf_counter()
        proc = subprocess.run(
            ["/usr/bin/time", "-f", "%M", *cmd], stdout=fh, stderr=subprocess.PIPE, check=False
        )
        wall = time.perf_counter() - t0
    if proc.returncode not in (0, 1):
        sys.exit(f"failed ({proc.returncode}): {' '.join(cmd)}\n{proc.stderr.decode()[-2000:]}")
    peak = int(proc.stderr.decode().strip().splitlines()[-1]) / 1024
    h = hashlib.sha256()
    with out.open("rb") as fh:
        while chunk := fh.read(1 << 24):
            h.update(chunk)
    out.unlink()
    return wall, peak, h.hexdigest()


def ensure_log(data: Path, n: int, seed: int) -> Path:
    """The seeded benchmark log of about n events, generated once and cached under `data`."""
    path = data / f"events-{n}.csv"
    if not path.exists():
        t0 = time.perf_counter()
        cmd = [
            sys.executable,
            "-m",
            "journeyctl.sampledata",
            "--events",
            str(n),
            "--seed",
            str(seed),
            "--out",
            str(path),
            "-q",
        ]
        subprocess.run(cmd, check=True)
        print(
            f"(generated {path.name}: {path.stat().st_size / 1e6:.0f} MB in {time.perf_counter() - t0:.0f} s)"
        )
    return path


def ensure_parquet(csv: Path) -> Path:
    """The CSV log as Parquet (same text values), converted once and cached beside it."""
    path = csv.with_suffix(".parquet")
    if not path.exists():
        t0 = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "journeyctl.events.convert", str(csv), str(path)], check=True
        )
        print(
            f"(converted {path.name}: {path.stat().st_size / 1e6:.0f} MB in {time.perf_counter() - t0:.0f} s)"
        )
    return path


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--sizes", default="1000000,2000000,5000000,10000000")
    ap.add_argument("--formats", default="table,json,analyze")
    ap.add_argument("--inputs", default="csv", help="csv and/or parquet, comma-separated")
    ap.add_argument("--data", default=str(ROOT / "benchmarks" / "data"))
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--stream", default="", help="sizes to run in the streaming mode too")
    ap.add_argument("--memory-limit", default="2G")
    ap.add_argument("--compare-up-to", type=int, default=10_000_000)
    ap.add_argument("--cluster", default="", help="sizes to run with --cluster too")
    ap.add_argument("--cluster-address", default="local:2")
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s]
    formats = args.formats.split(",")
    data = Path(args.data)
    data.mkdir(parents=True, exist_ok=True)
    py = sys.executable
    inputs = args.inputs.split(",")
    per_event: dict[str, list[tuple[int, float]]] = {
        f"{i}/{f}": [] for i in inputs for f in formats
    }
    figures: dict[tuple[int, str, str], tuple[float, float]] = {}
    print(
        f"{'events':>10} {'input':>7} {'format':>6} {'wall s':>8} {'events/s':>12} {'peak MiB':>9} {'floor s':>8} {'x floor':>8}"
    )
    for n in sizes:
        csv_path = ensure_log(data, n, args.seed)
        rows = sum(1 for _ in csv_path.open("rb")) - 1
        floor, _ = rss_of([py, "-c", FLOOR, str(csv_path)])
        digests: dict[str, str] = {}
        for inp in inputs:
            path = ensure_parquet(csv_path) if inp == "parquet" else csv_path
            for fmt in formats:
                cmd = [
                    py,
                    "-m",
                    "journeyctl",
                    "place",
                    str(path),
                    "-j",
                    str(ROOT / "sample_journeys"),
                    "--quiet",
                ]
                if fmt != "table":
                    cmd += ["--format", fmt]
                if fmt == "json":
                    wall, peak, digests[inp] = json_digest(cmd, data / f"out-{n}-{inp}.json")
                else:
                    wall, peak = rss_of(cmd)
                per_event[f"{inp}/{fmt}"].append((rows, wall / rows))
                print(
                    f"{rows:>10} {inp:>7} {fmt:>6} {wall:>8.2f} {rows / wall:>12,.0f} {peak:>9.0f} {floor:>8.2f} {wall / floor:>8.2f}"
                )
        if len(set(digests.values())) > 1:
            print(f"{rows:>10} JSON DIFFERS between inputs: {digests}")
        elif len(digests) > 1:
            print(f"{rows:>10} JSON identical for {', '.join(digests)}")
    runs = [
        (int(x), "stream", ["--memory-limit", args.memory_limit])
        for x in args.stream.split(",")
        if x
    ]
    runs += [
        (int(x), "cluster", ["--cluster", args.cluster_address])
        for x in args.cluster.split(",")
        if x
    ]
    in_memory: dict[int, tuple[float, float, str]] = {}  # size -> (wall, peak, digest)
    if runs:
        print(f"{'events':>10} {'mode':>9} {'wall s':>8} {'events/s':>12} {'peak MiB':>9}")
    for n, mode, extra in runs:
        path = ensure_log(data, n, args.seed)
        rows = sum(1 for _ in path.open("rb")) - 1
        base = [py, "-m", "journeyctl", "place", str(path), "-j", str(ROOT / "sample_journeys")]
        base += ["--quiet", "--format", "json"]
        tmp = data / f"out-{n}.json"
        if n <= args.compare_up_to and n not in in_memory:
            # the in-memory run of the same size, once, beside the other modes
            in_memory[n] = mw, mp, _ = json_digest(base, tmp)
            print(f"{rows:>10} {'in-memory':>9} {mw:>8.2f} {rows / mw:>12,.0f} {mp:>9.0f}")
        wall, peak, digest = json_digest([*base, *extra], tmp)
        same = "not compared"
        if n in in_memory:
            mw, _, mem_digest = in_memory[n]
            same = "identical to" if mem_digest == digest else "DIFFERENT from"
            same += f" the in-memory JSON; {wall / mw:.2f}x its time"
        print(
            f"{rows:>10} {mode:>9} {wall:>8.2f} {rows / wall:>12,.0f} {peak:>9.0f}"
            f"  ({' '.join(extra)}; output {same})"
        )
    for n in sizes:
        if (n, "csv", "analyze") in figures and (n, "csv", "json") in figures:
            (aw, ap_), (pw, pp) = figures[(n, "csv", "analyze")], figures[(n, "csv", "json")]
            print(
                f"analyze at {n:,} events: {aw:.2f} s, {ap_:,.0f} MiB = {aw / pw:.2f}x the time "
                f"and {ap_ / pp:.2f}x the memory of place --format json ({pw:.2f} s, {pp:,.0f} MiB)"
            )
    for fmt, pts in per_event.items():
        if len(pts) >= 2:
            (n0, a), (n1, b) = pts[0], pts[-1]
            print(
                f"{fmt}: time per event {a * 1e6:.2f} us at {n0:,} -> {b * 1e6:.2f} us at {n1:,} "
                f"({(b / a - 1) * 100:+.0f}%)"
            )


if __name__ == "__main__":
    main()
