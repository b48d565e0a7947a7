"""`--cluster` for `place`, `report` and `analyze` (PRODUCT §9): the options, and the runs on a
cluster."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated

import typer

from journeyctl.cli.common import progress_bar, warn_bad_rows
from journeyctl.cluster.connect import DEFAULT_TIMEOUT as DEFAULT_TIMEOUT
from journeyctl.cluster.connect import ClusterAddress, connect
from journeyctl.config import Config
from journeyctl.errors import UsageError

if TYPE_CHECKING:
    from distributed import Client

    from journeyctl.analytics.kpis import KpiValues
    from journeyctl.checks import DataWarning
    from journeyctl.definitions.model import JourneySet
    from journeyctl.engine.placement import PlaceResult
    from journeyctl.inputs import EventInputs
    from journeyctl.pipeline import StreamedPlace

ClusterOpt = Annotated[
    str | None,
    typer.Option(
        "--cluster",
        metavar="ADDRESS",
        help="Run on a Dask cluster: tcp://HOST:PORT (a `dask scheduler`) or local:N "
        "(N local workers); default: [cluster] address in journeyctl.toml",
    ),
]
ClusterTimeout = Annotated[
    float,
    typer.Option(
        "--cluster-timeout",
        min=0.1,
        metavar="SECONDS",
        help="Seconds to reach the cluster's scheduler",
    ),
]


def cluster_address(option: str | None, config: Config) -> ClusterAddress | None:
    """--cluster, else `[cluster] address` of journeyctl.toml, else None (run here)."""
    if option:
        return ClusterAddress.parse(option)
    section = config.extra.get("cluster")
    if section is None:
        return None
    # a table, its address a string: the config's check saw to that
    address = section.get("address")
    if not address:
        raise UsageError(
            f'{config.path}: `cluster` must be a table like {{address = "tcp://HOST:8786"}}'
        )
    return ClusterAddress.parse(address)


@contextlib.contextmanager
def cluster_client(address: ClusterAddress, timeout: float) -> Iterator[Client]:
    """A client; Dask's own log lines (a worker lost and rerun) stay off the user's screen."""
    _dask_logs(logging.ERROR)
    with connect(address, timeout) as client:
        try:
            yield client
        except BaseException:
            # Ctrl-C or an error, told by the CLI once: closing the client then cancels its
            # pending comms (a reconnect under way), which Dask logs with a traceback
            _dask_logs(logging.CRITICAL + 1)
            raise


def _dask_logs(level: int) -> None:
    """Every Dask logger at `level`: its config gives some (`distributed.client`) a level and a
    handler of their own, so the parent's level alone does not silence them."""
    names = [n for n in logging.root.manager.loggerDict if n.startswith("distributed.")]
    for name in ("distributed", *names):
        logging.getLogger(name).setLevel(level)


def cluster_runner(client: Client) -> Callable[..., StreamedPlace]:
    """`place_streaming`'s runner placing the partitions on the cluster."""
    from journeyctl.cluster.run import place_on_cluster

    def run(
        js: JourneySet,
        inputs: EventInputs,
        _workdir: str,
        _parts: int,
        each: Callable[[PlaceResult], None],
        *,
        progress: Callable[[int, int], None] | None = None,
    ) -> StreamedPlace:
        return place_on_cluster(client, js, inputs, each, progress=progress).run

    return run


@dataclass(frozen=True, slots=True)
class ClusterReport:
    """What `report` and `analyze` need of a placement: the whole result, the sources and their
    sizes, and what the analysis needs of the events (the customers' KPI values)."""

    result: PlaceResult
    files: list[str]
    sizes: dict[str, int]
    warnings: tuple[DataWarning, ...]  # the data checks (PRODUCT §4)
    kpis: KpiValues
    attributes: frozenset[str]  # what a customer can have (pipeline.attribute_names)


def place_whole(
    address: ClusterAddress,
    timeout: float,
    js: JourneySet,
    inputs: EventInputs,
    quiet: bool,
    no_color: bool,
) -> ClusterReport:
    """Every customer placed on the cluster, merged into one result as a local run gives, with
    their KPI values computed on the workers."""
    from journeyctl.cluster.run import place_all_on_cluster

    with (
        cluster_client(address, timeout) as client,
        progress_bar("placing partitions", quiet, no_color, "partitions") as progress,
    ):
        whole = place_all_on_cluster(client, js, inputs, progress, kpis=True)
    done = whole.done
    assert whole.kpis is not None  # asked for
    warn_bad_rows(done.run.bad_rows, inputs.rejects, quiet, no_color, done.run.input_warnings)
    from journeyctl.cli.datawarnings import print_warnings

    print_warnings(done.run.warnings, quiet)
    run = done.run
    return ClusterReport(
        whole.result, run.files, done.sizes, run.warnings, whole.kpis, run.attributes
    )


@contextlib.contextmanager
def runner_for(
    address: ClusterAddress | None, timeout: float
) -> Iterator[Callable[..., StreamedPlace]]:
    """The streaming mode's runner: partitions placed here, or on the cluster at `address`."""
    if address is None:
        from journeyctl.pipeline import run_place_streaming

        yield run_place_streaming
        return
    with cluster_client(address, timeout) as client:
        yield cluster_runner(client)
