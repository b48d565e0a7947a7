"""The Python API of PRODUCT §8: `import journeyctl`, then load, validate, place and predict.

Built on the same library calls the CLI makes (loading, `read_events`, `place`, `run_predict`
and the same renderers), so `Placement.to_json()` is byte for byte `place --format json`. It never
prints and never exits: every user-caused problem raises a subclass of `journeyctl.Error` with
the CLI's message and hint.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeAlias

from journeyctl.definitions.load import load_journeys as _load
from journeyctl.definitions.load import require_valid
from journeyctl.definitions.model import JourneySet
from journeyctl.errors import DefinitionsError, JourneyctlError
from journeyctl.errors import InputError as InputError
from journeyctl.errors import Problem as Problem
from journeyctl.errors import UsageError as UsageError
from journeyctl.events.sources import EventSource, Frame, SqlQuery
from journeyctl.events.sources.frames import is_frame
from journeyctl.events.timestamps import MICROS, format_instant
from journeyctl.inputs import EventInputs
from journeyctl.output.bi_tables import BiTables, bi_tables
from journeyctl.output.place import render_json
from journeyctl.pipeline import (
    PlaceRun,
    find_customer,
    run_place,
    show_data,
    shown_attributes,
    timeline_filter,
)

if TYPE_CHECKING:
    import pandas as pd

    from journeyctl.predict.run import PredictResult

Error = JourneyctlError
InvalidJourneys = DefinitionsError
Journeys = JourneySet
# a path, several paths (any source of §8), or an in-memory table
Events: TypeAlias = "str | os.PathLike[str] | Sequence[str | os.PathLike[str]] | Any"
AsOf: TypeAlias = "str | dt.datetime | None"

# `journeyctl/__init__.py` lists what the package exports from here (and loads this module on
# first use); the names imported below are re-exported explicitly (`as`).


def _paths(paths: Sequence[str | os.PathLike[str]]) -> list[str]:
    if not paths:
        raise UsageError("no journey paths given", hint="e.g. journeyctl.load_journeys('journeys')")
    return [os.fspath(p) for p in paths]


def validate(*paths: str | os.PathLike[str], catalog: str | None = None) -> list[Problem]:
    """Every problem `journeyctl validate` reports for these files or directories."""
    return list(_load(_paths(paths), catalog=catalog).problems)


def load_journeys(*paths: str | os.PathLike[str], catalog: str | None = None) -> Journeys:
    """The journeys in these files or directories; `InvalidJourneys` (with `.problems`) when a
    file has an error."""
    return require_valid(_load(_paths(paths), catalog=catalog))


def _journeys(journeys: Journeys | str | os.PathLike[str] | Sequence[str]) -> Journeys:
    if isinstance(journeys, JourneySet):
        return journeys
    if isinstance(journeys, str | os.PathLike):
        return load_journeys(journeys)
    return load_journeys(*journeys)


def _source(item: Any) -> EventSource:
    if isinstance(item, str | os.PathLike):
        return os.fspath(item)
    if isinstance(item, SqlQuery):  # what the CLI's --sql/--db-url make
        return item
    return Frame(item)  # read_frame says what it cannot read


def _sources(events: Events) -> list[EventSource]:
    if isinstance(events, str | os.PathLike) or is_frame(events):
        return [_source(events)]
    if isinstance(events, Sequence):
        return [_source(e) for e in events]
    return [_source(events)]


def _as_of(as_of: AsOf) -> str | None:
    """The as-of as the CLI's `--as-of` text (a datetime without a zone is UTC)."""
    if isinstance(as_of, dt.datetime):
        if as_of.tzinfo is None:
            as_of = as_of.replace(tzinfo=dt.UTC)
        delta = as_of - dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
        return format_instant((delta.days * 86400 + delta.seconds) * MICROS + delta.microseconds)
    return as_of


def _accounts(accounts: Events | None) -> EventSource | None:
    if accounts is None:
        return None
    sources = _sources(accounts)
    if len(sources) != 1:
        raise UsageError("accounts: give one table (a path or a DataFrame)")
    return sources[0]


def _inputs(
    events: Events,
    as_of: AsOf,
    accounts: Events | None,
    columns: Mapping[str, str] | None,
    skip_bad_rows: bool,
) -> EventInputs:
    """The CLI's event options, as the API's arguments give them."""
    from journeyctl.events.ingest import parse_column_mappings

    mapping = parse_column_mappings(f"{k}={v}" for k, v in (columns or {}).items())
    return EventInputs(
        tuple(_sources(events)), mapping, _accounts(accounts), _as_of(as_of), skip_bad_rows
    )


def _instant(us: int) -> dt.datetime:
    return dt.datetime(1970, 1, 1, tzinfo=dt.UTC) + dt.timedelta(microseconds=us)


class Placement:
    """Where every customer stands at `as_of`; the tables are pandas DataFrames with the
    columns of `place --format parquet` (customers, moves, milestones, risks)."""

    def __init__(self, run: PlaceRun) -> None:
        self._run = run
        result = self._result = run.result
        self._tables: BiTables | None = None
        self.as_of: dt.datetime = _instant(result.as_of)
        s = result.summary
        self.summary: dict[str, int] = {
            "customers": s.customers,
            "events": s.events,
            "ignored_after_as_of": s.ignored_after_as_of,
            "unmatched": s.unmatched,
            "bad_rows": s.bad_rows,
        }
        self.unmatched: list[str] = list(result.unmatched)
        self.bad_rows = list(run.log.bad_rows)
        # the data checks (PRODUCT §4), as in the JSON's `warnings`; and what reading left out
        self.warnings: list[dict[str, Any]] = [w.as_json() for w in run.warnings]
        self.input_warnings = list(run.log.warnings)

    def _bi(self) -> BiTables:
        if self._tables is None:
            r = self._result
            self._tables = bi_tables(r.as_of, r.customers, r.unmatched, r.unmatched_attributes)
        return self._tables

    @property
    def customers(self) -> pd.DataFrame:
        return _frame(self._bi().customers)

    @property
    def moves(self) -> pd.DataFrame:
        return _frame(self._bi().moves)

    @property
    def milestones(self) -> pd.DataFrame:
        return _frame(self._bi().milestones)

    @property
    def risks(self) -> pd.DataFrame:
        return _frame(self._bi().risks)

    def to_json(self) -> str:
        """Exactly what `journeyctl place --format json` prints."""
        return render_json(self._result, self._result.customers, self.warnings)

    def explain(
        self,
        customer_id: str,
        *,
        since: str | None = None,
        last: int | None = None,
        moves_only: bool = False,
        all_attributes: bool = False,
    ) -> dict[str, Any]:
        """What `journeyctl show CUSTOMER` prints, as data (its `--format json` object); the
        keyword arguments are `show`'s `--since`, `--last`, `--moves-only`, `--all-attributes`."""
        from journeyctl.output.show import show_obj, unmatched_json

        r = self._result
        shown = timeline_filter(since, last, moves_only)
        c = find_customer(self._run, customer_id)
        if c is None:
            raw = r.unmatched_attributes.get(customer_id, {})
            attrs = shown_attributes(self._run, raw, all_attributes)
            out: dict[str, Any] = json.loads(unmatched_json(customer_id, r.as_of, attrs))
            return out
        data = show_data(self._run, c, shown, all_attributes=all_attributes)
        return json.loads(json.dumps(show_obj(data)))  # type: ignore[no-any-return]

    def __repr__(self) -> str:
        return (
            f"<Placement as_of={format_instant(self._result.as_of)} "
            f"customers={self.summary['customers']} unmatched={self.summary['unmatched']}>"
        )


def _frame(table: Any) -> pd.DataFrame:
    """Timestamps stay UTC-aware, lists Python lists; integer columns with gaps (an unmatched
    customer has no journey version) stay integers, not floats."""
    import pandas as pd
    import pyarrow as pa

    ints = {pa.int64(): pd.Int64Dtype(), pa.bool_(): pd.BooleanDtype()}
    df: pd.DataFrame = table.to_pandas(types_mapper=ints.get)
    return df


def place(
    journeys: Journeys | str | os.PathLike[str] | Sequence[str],
    events: Events,
    *,
    as_of: AsOf = None,
    accounts: Events | None = None,
    columns: Mapping[str, str] | None = None,
    skip_bad_rows: bool = False,
) -> Placement:
    """Replay the events and place every customer (what `journeyctl place` computes)."""
    inputs = _inputs(events, as_of, accounts, columns, skip_bad_rows)
    return Placement(run_place(_journeys(journeys), inputs))


class Prediction:
    """Scores of every customer for a target within a horizon, with the backtest."""

    def __init__(self, result: PredictResult) -> None:
        from journeyctl.predict.backtestdoc import backtest_json

        self._result = result
        self.as_of: dt.datetime = _instant(result.as_of)
        self.target = result.target
        self.horizon = result.horizon
        self.backtest: dict[str, Any] = {
            "model": result.backtest.model,
            **backtest_json(result.backtest),
        }

    @property
    def scores(self) -> pd.DataFrame:
        """One row per customer: customer_id, journey, stage, probability, factors (the top
        reasons, as `feature`/`value`/`contribution` dicts)."""
        import pandas as pd

        from journeyctl.output.predict import factor_json

        rows = [
            {
                "customer_id": p.customer_id,
                "journey": p.journey,
                "stage": p.stage,
                "probability": p.probability,
                "factors": [factor_json(f) for f in p.factors],
            }
            for p in self._result.customers
        ]
        return pd.DataFrame(
            rows, columns=["customer_id", "journey", "stage", "probability", "factors"]
        )

    def to_json(self) -> str:
        """Exactly what `journeyctl predict --format json` prints."""
        from journeyctl.output.predict import render_json as predict_json

        return predict_json(self._result)

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the model as `predict --save-model` does (for `place --model`)."""
        from journeyctl.predict.modelio import save_model

        save_model(os.fspath(path), self._result.model_document)


def predict(
    journeys: Journeys | str | os.PathLike[str] | Sequence[str],
    events: Events,
    *,
    target: str = "churned",
    horizon: str = "90d",
    as_of: AsOf = None,
    cutoffs: str | None = None,
    accounts: Events | None = None,
    columns: Mapping[str, str] | None = None,
    skip_bad_rows: bool = False,
) -> Prediction:
    """Learn from the log who will reach `target` within `horizon` (what `journeyctl predict`
    computes): backtest out of time, then score every customer with the reasons."""
    from journeyctl.pipeline import run_predict

    inputs = _inputs(events, as_of, accounts, columns, skip_bad_rows)
    result = run_predict(
        _journeys(journeys), inputs, target=target, horizon=horizon, cutoffs=cutoffs
    )
    return Prediction(result)
