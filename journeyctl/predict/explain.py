"""Each score's top factors: the features (a categorical's levels summed into one) with the
largest absolute contribution to the customer's log-odds, with the customer's value."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from journeyctl.predict.columns import F64
from journeyctl.predict.features import F32
from journeyctl.predict.spec import Column

TOP = 5


@dataclass(frozen=True, slots=True)
class Factor:
    feature: str
    value: str | float | int | None
    contribution: float


def _value(raw: float) -> float | int | None:
    if math.isnan(raw):
        return None
    r = round(raw, 2)
    return int(r) if r == int(r) and abs(r) < 2**53 else r


class Explainer:
    def __init__(self, columns: list[Column]) -> None:
        self.groups: list[str] = []
        self.members: list[list[int]] = []
        index: dict[str, int] = {}
        for j, c in enumerate(columns):
            if c.group not in index:
                index[c.group] = len(self.groups)
                self.groups.append(c.group)
                self.members.append([])
            self.members[index[c.group]].append(j)
        self.columns = columns

    def factors(self, x: F32, contributions: F64, top: int = TOP) -> list[list[Factor]]:
        # Summed column by column (not a matrix product) so a row's result never depends on
        # the other rows scored with it.
        grouped = np.stack([contributions[:, c].sum(axis=1) for c in self.members], axis=1)
        by_name = np.argsort(np.argsort(np.array(self.groups, dtype=object), kind="stable"))
        size = np.round(np.abs(grouped), 12)
        names = np.broadcast_to(by_name, size.shape)
        order = np.lexsort((names, -size), axis=-1)[:, :top]
        rounded = np.round(grouped, 4)
        out: list[list[Factor]] = []
        for r in range(len(x)):
            xr = x[r]
            out.append([self._factor(xr, int(g), float(rounded[r, g])) for g in order[r]])
        return out

    def _factor(self, xr: F32, g: int, contribution: float) -> Factor:
        cols = self.members[g]
        first = self.columns[cols[0]]
        value: str | float | int | None
        if first.level is None:
            value = _value(float(xr[cols[0]]))
        else:
            value = next((self.columns[j].level for j in cols if xr[j] == 1.0), None)
        return Factor(self.groups[g], value, contribution)
