"""The three phases of a `--cluster` placement timed apart, for docs/cluster.md's model.

    python benchmarks/cluster_phases.py EVENTS.csv [--cluster local:2] [--partitions N] [--kpis]

Prints the seconds spent reading on the workers, in Dask's shuffle by customer id, and placing
the partitions (each phase persisted before the next starts), and the client's peak RSS.
"""

from __future__ import annotations

import argparse
import resource
import time
from pathlib import Path

from distributed import wait

from journeyctl.cluster import work
from journeyctl.cluster.connect import ClusterAddress, connect
from journeyctl.cluster.run import partitions_for
from journeyctl.definitions.load import load_journeys, require_valid

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("events", nargs="+")
    ap.add_argument("--cluster", default="local:2")
    ap.add_argument("--partitions", type=int)
    ap.add_argument("--kpis", action="store_true", help="place as report/analyze: with KPI values")
    args = ap.parse_args()
    import dask.dataframe as dd
    from dask.delayed import delayed

    js = require_valid(load_journeys([str(ROOT / "sample_journeys")]))
    with connect(ClusterAddress.parse(args.cluster), 60) as client:
        workers = len(client.scheduler_info()["workers"])
        t0 = time.perf_counter()
        reads = client.map(work.read_source, range(len(args.events)), args.events, mapping={},
                           input_format=None, pure=False)  # fmt: skip
        metas = client.gather(client.map(work.meta_of, reads, pure=False))
        props = list(dict.fromkeys(p for m in metas for p in m.columns))
        frames = client.map(work.frame_of, reads, columns=props, pure=False)
        wait(frames)
        t1 = time.perf_counter()
        rows = sum(m.rows for m in metas)
        latest = max(m.max_ts for m in metas if m.max_ts is not None)
        parts = args.partitions or partitions_for(rows, workers)
        ddf = dd.from_delayed(frames, meta=work.empty_frame(props), verify_meta=False)
        shuffled = ddf.shuffle(on="customer_id", npartitions=parts).persist()
        wait(shuffled)
        t2 = time.perf_counter()
        task = work.place_partition_with_kpis if args.kpis else work.place_partition
        placed = client.compute(
            [delayed(task)(d, js, latest, None, props, []) for d in shuffled.to_delayed()]
        )
        wait(placed)
        t3 = time.perf_counter()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"{rows:,} events, {workers} workers, {parts} partitions: read {t1 - t0:.1f} s, "
        f"shuffle {t2 - t1:.1f} s, place {t3 - t2:.1f} s; client peak RSS {peak:.0f} MiB"
    )


if __name__ == "__main__":
    main()
