"""Seeded generator of realistic event logs for the sample journeys.

    python -m journeyctl.sampledata --customers 400 --seed 7 --months 20 \\
        --out sample_journeys/events.csv --accounts sample_journeys/accounts.csv
    python -m journeyctl.sampledata --events 10000000 --out /tmp/bench.csv.gz

Every customer has a latent type (healthy, regressing, churning, slow, trial-only...) that shapes
its events, with noise: healthy customers also have quiet periods, P1 incidents and the odd bad
score, and some have a dip that looks like fading and then recover. Churners fade gradually (usage
falls, tickets and poor scores rise over the last two or three months) and then emit their
journey's cancel event; those whose cancel falls after the end of the log are the ones at risk
now. No event is emitted only by churners shortly before churning.

The output is a pure function of the arguments (byte-identical runs), written in global time order
without holding the whole log in memory: each customer's events are generated at once (they are
few), spread over time buckets spilled to a temporary directory, and each bucket is sorted and
written in turn. With `--events N` every recurring activity is scaled so the total is about N.
"""

from __future__ import annotations

import argparse
import bisect
import contextlib
import csv
import datetime as dt
import functools
import gzip
import io
import itertools
import math
import os
import pickle
import random
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import IO

COLUMNS = (
    "customer_id",
    "timestamp",
    "event",
    "product",
    "size",
    "region",
    "industry",
    "feature",
    "priority",
    "score",
    "category",
    "attendee_level",
    "rating",
    "change",
    "term_years",
    "status",
    "reason",
    "installer_id",
    "result",
    "kind",
)
ACCOUNT_COLUMNS = (
    "customer_id",
    "name",
    "owner",
    "arr",
    "tier",
    "product",
    "size",
    "region",
    "industry",
)
_COL = {name: i for i, name in enumerate(COLUMNS)}
DEFAULT_START = dt.date(2024, 3, 1)
DEFAULT_MONTHS = 20
DEFAULT_SEED = 7
EVENTS_PER_CUSTOMER = 20  # --events N alone means N / 20 customers

DAY = 86400
HOUR = 3600
_FLUSH_ROWS = 200_000  # rows buffered before spilling buckets to disk
_MAX_BUCKETS = 256

Props = tuple[tuple[int, str], ...] | None
Event = tuple[int, str, Props]
Row = tuple[int, int, int, tuple[str, ...]]  # ts, customer index, position, cells from `event`

# Latent customer types.
HEALTHY, REGRESS, CHURN, SLOW, TRIAL, EARLY_RETURN, OFFBOARD = range(7)

_FEATURES = ("dashboards", "reports", "alerts", "exports", "api", "sso")
_INDUSTRIES = (
    "retail",
    "financial_services",
    "healthcare",
    "manufacturing",
    "software",
    "public_sector",
    "education",
    "logistics",
    "media",
)
_CSMS = (
    "maria.santos",
    "dev.patel",
    "lena.fischer",
    "tom.okafor",
    "aiko.tanaka",
    "sam.rivera",
    "noor.haddad",
    "jonas.berg",
)
_NAME_A = (
    "North",
    "Blue",
    "Silver",
    "Bright",
    "Summit",
    "Harbor",
    "Iron",
    "Cedar",
    "Nova",
    "Atlas",
    "Vertex",
    "Pioneer",
    "Crescent",
    "Evergreen",
    "Granite",
    "Lumen",
)
_NAME_B = (
    "Logistics",
    "Health",
    "Foods",
    "Capital",
    "Systems",
    "Retail",
    "Energy",
    "Labs",
    "Manufacturing",
    "Media",
    "Bank",
    "Mobility",
    "Analytics",
    "Partners",
    "Works",
)
_NAME_C = ("Inc", "LLC", "Ltd", "GmbH", "SA", "BV", "Group", "AG", "Co")
_FIRST = (
    "Ana",
    "Ben",
    "Chloe",
    "David",
    "Elif",
    "Farid",
    "Grace",
    "Hugo",
    "Ines",
    "Jamal",
    "Kira",
    "Liam",
    "Mei",
    "Nils",
    "Olga",
    "Pedro",
    "Rosa",
    "Sven",
    "Tara",
    "Yusuf",
)
_LAST = (
    "Garcia",
    "Smith",
    "Müller",
    "Rossi",
    "Kowalski",
    "Dubois",
    "Jensen",
    "Nakamura",
    "Silva",
    "Novak",
    "Okoye",
    "Larsen",
    "Moreau",
    "Costa",
    "Schmidt",
    "Brown",
)


def _mix(seed: int, idx: int, stream: int) -> int:
    return (seed * 0x9E3779B97F4A7C15 + idx * 0xBF58476D1CE4E5B9 + stream * 0x94D049BB133111EB) % (
        1 << 64
    )


class _Rng:
    """Only `random()` of the standard generator, so the output does not depend on how a Python
    version implements choice/gauss/expovariate."""

    __slots__ = ("_r", "random")

    def __init__(self) -> None:
        self._r = random.Random()
        self.random = self._r.random

    def seed(self, value: int) -> None:
        self._r.seed(value)

    def u(self, a: float, b: float) -> float:
        return a + (b - a) * self.random()

    def chance(self, p: float) -> bool:
        return self.random() < p

    def pick(self, seq: tuple[str, ...] | list[str]) -> str:
        return seq[int(self.random() * len(seq))]

    def gauss(self, mu: float, sigma: float) -> float:
        u1 = 1.0 - self.random()
        return mu + sigma * math.sqrt(-2.0 * math.log(u1)) * math.cos(2 * math.pi * self.random())


# --------------------------------------------------------------------------------------------
# Customer profiles (the accounts file): a function of (seed, index) only.


@dataclass(frozen=True, slots=True)
class Profile:
    journey: str  # which behaviour: enterprise, smb, services, durables or legacy
    kind: int  # latent type: HEALTHY, CHURN...
    attrs: dict[str, str]  # product, size, region, industry
    name: str
    owner: str
    arr: int
    tier: str


def _kind(r: _Rng, weights: tuple[tuple[int, float], ...]) -> int:
    x = r.random() * sum(w for _, w in weights)
    for k, w in weights:
        x -= w
        if x < 0:
            return k
    return weights[-1][0]


def profile(seed: int, idx: int, r: _Rng | None = None) -> Profile:
    """The segment, latent type and account data of customer `idx`."""
    r = r or _Rng()
    r.seed(_mix(seed, idx, 0))
    x = r.random()
    company = f"{r.pick(_NAME_A)} {r.pick(_NAME_B)} {r.pick(_NAME_C)}"
    industry = r.pick(_INDUSTRIES)
    if x < 0.03:  # matches no journey
        y = r.random()
        if y < 0.5:
            attrs = {
                "product": "legacy-suite",
                "size": r.pick(("enterprise", "mid-market")),
                "region": r.pick(("NA", "EMEA", "APAC")),
                "industry": industry,
            }
            journey = "legacy"
        else:
            attrs = {
                "product": "analytics-cloud",
                "size": "enterprise" if y < 0.8 else "mid-market",
                "region": "APAC" if y < 0.8 else "NA",
                "industry": industry,
            }
            journey = "enterprise"
        kind = _kind(r, ((HEALTHY, 0.6), (CHURN, 0.25), (SLOW, 0.15)))
        arr = int(r.u(20, 250)) * 1000
    elif x < 0.24:
        journey = "enterprise"
        attrs = {
            "product": "analytics-cloud",
            "size": "enterprise",
            "region": "NA" if r.chance(0.75) else "LATAM",
            "industry": industry,
        }
        kind = _kind(r, ((HEALTHY, 0.38), (REGRESS, 0.11), (CHURN, 0.4), (SLOW, 0.11)))
        arr = int(math.exp(r.gauss(math.log(180), 0.6))) * 1000
    elif x < 0.58:
        journey = "smb"
        attrs = {
            "product": "analytics-cloud",
            "size": "smb",
            "region": "EMEA",
            "industry": industry,
        }
        kind = _kind(
            r, ((TRIAL, 0.28), (HEALTHY, 0.22), (REGRESS, 0.06), (CHURN, 0.37), (SLOW, 0.07))
        )
        arr = int(math.exp(r.gauss(math.log(4800), 0.7))) // 10 * 10
    elif x < 0.75:
        journey = "services"
        attrs = {
            "product": "managed-services",
            "size": r.pick(("enterprise", "enterprise", "mid-market", "mid-market", "smb")),
            "region": r.pick(("NA", "NA", "EMEA", "EMEA", "APAC", "LATAM")),
            "industry": industry,
        }
        kind = _kind(
            r, ((HEALTHY, 0.36), (REGRESS, 0.13), (CHURN, 0.34), (SLOW, 0.09), (OFFBOARD, 0.08))
        )
        arr = int(math.exp(r.gauss(math.log(240), 0.7))) * 1000
    else:
        journey = "durables"
        attrs = {
            "product": "smart-appliance",
            "size": "consumer",
            "region": r.pick(("EMEA", "EMEA", "NA", "NA", "APAC")),
            "industry": "consumer",
        }
        kind = _kind(
            r, ((HEALTHY, 0.54), (REGRESS, 0.1), (CHURN, 0.2), (EARLY_RETURN, 0.06), (SLOW, 0.1))
        )
        company = f"{r.pick(_FIRST)} {r.pick(_LAST)}"
        arr = int(r.pick(("0", "0", "0", "0", "129", "249")))  # a care plan, if any
    owner = (
        "consumer-care@example.com"
        if journey == "durables"
        else "emea-smb-pod@example.com"
        if journey == "smb"
        else f"{r.pick(_CSMS)}@example.com"
    )
    tier = "gold" if arr >= 300_000 else "silver" if arr >= 60_000 else "bronze"
    return Profile(journey, kind, attrs, company, owner, arr, tier)


# --------------------------------------------------------------------------------------------
# Time: the span of the log and the hour-by-hour activity profiles.


@functools.cache
def _time_of_day() -> list[str]:
    return [f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}Z" for s in range(DAY)]


def _add_months(d: dt.date, months: int) -> dt.date:
    y, m = divmod(d.month - 1 + months, 12)
    return dt.date(d.year + y, m + 1, min(d.day, 28))


def _epoch(d: dt.date) -> int:
    return int(dt.datetime(d.year, d.month, d.day, tzinfo=dt.UTC).timestamp())


class _Span:
    """The log's time span, its activity tables and the timestamp formatter."""

    def __init__(self, start: dt.date, months: int, activity: float) -> None:
        if months < 1:
            raise ValueError("months must be at least 1")
        self.t0 = _epoch(start)
        self.end = _epoch(_add_months(start, months))
        self.activity = activity
        hours = (self.end - self.t0) // HOUR + 48
        b2b_hour = (
            [0.03] * 7 + [0.5, 1.0, 1.0, 1.0, 0.8, 0.9, 1.0, 1.0, 1.0, 0.8, 0.5, 0.2] + [0.08] * 5
        )
        con_hour = [0.15] * 7 + [
            0.6,
            0.8,
            0.8,
            0.8,
            0.8,
            0.9,
            0.9,
            0.9,
            0.9,
            1.0,
            1.0,
            1.0,
            1.0,
            0.9,
            0.7,
            0.4,
            0.2,
        ]
        b2b_day = (1.0, 1.0, 1.0, 1.0, 0.95, 0.12, 0.08)
        con_day = (0.9, 0.9, 0.9, 0.9, 1.0, 1.2, 1.2)
        b2b: list[float] = []
        con: list[float] = []
        for h in range(hours):
            day = (self.t0 // DAY) + h // 24
            date = dt.date.fromordinal(dt.date(1970, 1, 1).toordinal() + day)
            season = (
                0.65
                if date.month == 8
                else 0.45
                if (date.month, date.day) >= (12, 21) or (date.month, date.day) <= (1, 2)
                else 1.0
            )
            wd = date.weekday()
            b2b.append(b2b_hour[h % 24] * b2b_day[wd] * season)
            con.append(con_hour[h % 24] * con_day[wd])
        week_b2b = sum(b2b_hour) * sum(b2b_day) / (24 * 7)
        week_con = sum(con_hour) * sum(con_day) / (24 * 7)
        self.b2b = [v / week_b2b for v in b2b]  # mean 1 over a normal week
        self.con = [v / week_con for v in con]
        # Cumulative intensity at the start of each hour: a Poisson process with this hourly
        # profile is sampled without rejections by inverting it (see _Customer.times).
        self.b2b_cum = list(itertools.accumulate(self.b2b, initial=0.0))
        self.con_cum = list(itertools.accumulate(self.con, initial=0.0))
        self._days: dict[int, str] = {}
        self._tod = _time_of_day()

    def stamp(self, ts: int) -> str:
        day, sec = divmod(ts, DAY)
        text = self._days.get(day)
        if text is None:
            text = self._days[day] = dt.datetime.fromtimestamp(day * DAY, dt.UTC).strftime(
                "%Y-%m-%dT"
            )
        return text + self._tod[sec]


# --------------------------------------------------------------------------------------------
# One customer's events.


class _Customer:
    def __init__(self, span: _Span, r: _Rng, prof: Profile) -> None:
        self.s, self.r, self.p, self.kind = span, r, prof, prof.kind
        self.ev: list[Event] = []
        # Starts spread over the span, at a growing rate (density 1 + 1.5x over the span).
        x = (math.sqrt(1 + 1.5 * (2 + 1.5) * r.random()) - 1) / 1.5
        day0 = span.t0 + int(x * (span.end - span.t0 - 2 * DAY)) // DAY * DAY
        self.t0 = (
            self.biz(day0 + r.u(7, 20) * HOUR)
            if prof.journey != "durables"
            else day0 + int(r.u(7, 23) * HOUR)
        )
        self.stop = span.end  # no event at or after this instant
        self.eng = {
            HEALTHY: r.u(0.8, 1.4),
            REGRESS: r.u(0.7, 1.2),
            CHURN: r.u(0.6, 1.2),
            SLOW: r.u(0.25, 0.55),
        }.get(self.kind, r.u(0.4, 1.0))
        self.dips: list[tuple[float, float, float]] = []  # quiet periods: (from, to, factor)
        # Trouble episodes: distress rises from 0 at a to 1 at peak and back to 0 at b; usage
        # is scaled by 1 - (1 - floor) * distress.
        self.trouble: list[tuple[float, float, float, float]] = []
        self.sat = {
            HEALTHY: r.u(8.0, 9.6),
            REGRESS: r.u(7.0, 9.0),
            CHURN: r.u(6.6, 8.8),
            SLOW: r.u(6.2, 8.5),
        }.get(self.kind, r.u(6.5, 9.0))
        self.end_at: float | None = None  # the terminal event, if any: planned up front
        self.terminal: tuple[str, Props] = ("", None)

    # -- time helpers
    def biz(self, t: float) -> float:
        """`t` or the next business hour (weekdays 8-18 UTC), forward only."""
        day, sec = divmod(int(t), DAY)
        if (day + 3) % 7 < 5 and 8 * HOUR <= sec < 18 * HOUR:
            return t
        if sec >= 8 * HOUR:
            day += 1
        while (day + 3) % 7 >= 5:
            day += 1
        return day * DAY + self.r.u(8, 11.5) * HOUR

    def meet(self, t: float) -> float:
        """A meeting at or after `t`, on a quarter hour between 9 and 17."""
        day, sec = divmod(int(t), DAY)
        slot = max(9 * 4, -(-sec // 900))
        if (day + 3) % 7 >= 5 or slot > 16 * 4:
            day += 1
            while (day + 3) % 7 >= 5:
                day += 1
            slot = 9 * 4 + int(self.r.random() * 28)
        return day * DAY + slot * 900

    # -- emitting
    def emit(self, t: float, name: str, props: Props = None) -> None:
        if self.t0 <= t < self.stop:
            self.ev.append((int(t), name, props))

    def finish(self, t: float, name: str, props: Props = None) -> None:
        """Plan the terminal event (emitted last): nothing is emitted at or after it."""
        if self.t0 < t < self.stop:
            self.end_at, self.terminal, self.stop = t, (name, props), int(t)

    def usage(self, t: float) -> float:
        m = 1.0
        for a, b, f in self.dips:
            if a <= t < b:
                m *= f
        for a, peak, b, floor in self.trouble:
            if a <= t < b:
                d = (t - a) / (peak - a) if t < peak else (b - t) / (b - peak)
                m *= 1.0 - (1.0 - floor) * d
        return m

    def distress(self, t: float) -> float:
        d = 0.0
        for a, peak, b, _ in self.trouble:
            if a <= t < b:
                d = max(d, (t - a) / (peak - a) if t < peak else (b - t) / (b - peak))
        return d

    def times(
        self,
        per_day: float,
        a: float,
        b: float | None = None,
        consumer: bool = False,
        fn: Callable[[float], float] | None = None,
        fmax: float = 1.0,
    ) -> list[float]:
        """Instants in [a, b) of a Poisson process of `per_day` events a day (times the activity
        scale), shaped by the hour table (exactly, by inverting its cumulative intensity) and by
        `fn` (at most `fmax`, by thinning)."""
        s = self.s
        b = self.stop if b is None else min(b, self.stop)
        table, cum = (s.con, s.con_cum) if consumer else (s.b2b, s.b2b_cum)
        per_hour = per_day * s.activity * fmax / 24  # events per unit of cumulative intensity
        out: list[float] = []
        if per_hour <= 0 or b <= a:
            return out
        rnd, log, find, base = self.r.random, math.log, bisect.bisect_right, s.t0

        def position(t: float) -> float:
            h, rest = divmod(t - base, HOUR)
            return cum[int(h)] + table[int(h)] * rest / HOUR

        x, end, inv = position(a), position(b), 1.0 / per_hour
        while True:
            x -= log(1.0 - rnd()) * inv
            if x >= end:
                return out
            h = find(cum, x) - 1
            t = base + (h + (x - cum[h]) / table[h]) * HOUR
            if t >= b:  # rounding
                return out
            if fn is None or rnd() * fmax < fn(t):
                out.append(t)

    def every(self, first: float, lo: float, hi: float) -> Iterator[float]:
        """A roughly periodic schedule (gaps of lo..hi days, stretched by the activity scale)."""
        t, k = first, 1.0 / max(self.s.activity, 1e-6)
        while t < self.stop:
            yield t
            t += self.r.u(lo, hi) * DAY * k

    # -- behaviour shared by the journeys
    def plan(self, churn: float | None, fade: tuple[float, float]) -> None:
        """Quiet periods, false alarms and, for a churner, the fade before `churn`."""
        r, life = self.r, self.s.end - self.t0
        for _ in range(int(life / (DAY * 365) * 0.9 + r.random())):
            a = self.t0 + r.u(20, 600) * DAY
            self.dips.append((a, a + r.u(10, 30) * DAY, r.u(0.05, 0.4)))
        if self.kind in (HEALTHY, REGRESS, SLOW) and r.chance(0.15):  # dips, then recovers
            a = self.t0 + r.u(60, 500) * DAY
            peak = a + r.u(20, 45) * DAY
            self.trouble.append((a, peak, peak + r.u(20, 50) * DAY, r.u(0.2, 0.5)))
        if churn is not None:
            f = r.u(*fade) * DAY
            self.trouble.append((churn - f, churn, churn + 1, r.u(0.03, 0.2)))

    def tickets(
        self, per_month: float, p1: float, cats: tuple[str, ...], incidents_per_year: float = 0.3
    ) -> None:
        r = self.r
        for t in self.times(
            per_month / 30, self.t0 + DAY, fn=lambda t: 1 + 4 * self.distress(t), fmax=5.0
        ):
            d = self.distress(t)
            x = r.random()
            pr = "P1" if x < p1 + 0.35 * d else "P2" if x < 0.5 + 0.2 * d else "P3"
            self.emit(
                t, "ticket_opened", ((_COL["priority"], pr), (_COL["category"], r.pick(cats)))
            )
        bursts = self.times(incidents_per_year / 365, self.t0 + 10 * DAY)
        for a, peak, _b, _ in self.trouble:
            if peak - a > 30 * DAY and r.chance(0.5):
                bursts.append(r.u(a, peak))
        for t in bursts:
            for _ in range(2 + int(r.random() * 3)):
                t = self.biz(t + r.u(0.2, 4) * DAY)
                self.emit(
                    t, "ticket_opened", ((_COL["priority"], "P1"), (_COL["category"], "defect"))
                )

    def nps(self, first_days: float) -> None:
        r = self.r
        for t in self.every(self.t0 + first_days * DAY, 85, 100):
            t = self.biz(t + r.u(0, 5) * DAY)
            if r.chance(0.65):
                score = round(r.gauss(self.sat - 5.0 * self.distress(t), 1.1))
                self.emit(t, "nps_submitted", ((_COL["score"], str(min(10, max(0, score)))),))

    def features(
        self,
        after: float,
        n: int,
        gap: tuple[float, float],
        rate_week: float,
        order: tuple[str, ...] = _FEATURES,
        consumer: bool = False,
    ) -> None:
        r, names = self.r, list(order)
        for i in range(len(names) - 1):  # a few neighbour swaps: mostly the usual order
            if r.chance(0.3):
                names[i], names[i + 1] = names[i + 1], names[i]
        t = after + r.u(0.1, 3) * DAY
        for i, feat in enumerate(names[:n]):
            rate = rate_week * (2.0 if i == 0 else 1.0) * self.eng / 7
            props = ((_COL["feature"], feat),)
            self.emit(self.biz(t), "feature_used", props)
            self.emit_all(
                self.times(rate, t + HOUR, consumer=consumer, fn=self.shape()),
                "feature_used",
                props,
            )
            t += r.u(*gap) * DAY

    def logins(self, name: str, per_week: float, after: float) -> None:
        self.emit_all(self.times(per_week * self.eng / 7, after, fn=self.shape()), name)

    def shape(self) -> Callable[[float], float] | None:
        return self.usage if self.dips or self.trouble else None

    def emit_all(self, times: list[float], name: str, props: Props = None) -> None:
        """Emit at each of `times`, which lie in [t0, stop) already."""
        self.ev.extend((int(t), name, props) for t in times)


def _days(c: _Customer, ok: tuple[float, float], late: tuple[float, float], p_ok: float) -> float:
    return (c.r.u(*ok) if c.r.chance(p_ok) else c.r.u(*late)) * DAY


def _attrs(c: _Customer) -> Props:
    return tuple((_COL[k], v) for k, v in c.p.attrs.items())


# --------------------------------------------------------------------------------------------
# The journeys.


def _enterprise(c: _Customer) -> None:
    r, t0, kind = c.r, c.t0, c.kind
    recent = t0 > c.s.end - 45 * DAY
    term_end = t0 + 365 * DAY
    opened = c.biz(term_end - r.u(110, 130) * DAY)
    churn = None
    if kind == CHURN:
        churn = opened + r.u(20, 90) * DAY if r.chance(0.5) else t0 + r.u(50, 300) * DAY
    elif kind == SLOW and r.chance(0.5):
        churn = opened + r.u(20, 90) * DAY
    c.plan(churn, (50, 100))
    if churn is not None:
        c.finish(c.biz(churn), "contract_cancelled")
    c.emit(t0, "deal_closed", _attrs(c))
    p_ok = 0.55 if kind == SLOW else 0.88
    kickoff = c.meet(
        t0
        + (r.u(10, 40) * DAY if recent and r.chance(0.45) else _days(c, (1, 6.5), (7.5, 16), p_ok))
    )
    c.emit(kickoff, "kickoff_call_held")
    first_login = c.biz(t0 + _days(c, (1, 12.5), (14.5, 28), p_ok + 0.03))
    c.emit(first_login, "login")
    c.logins("login", 2.6, first_login + HOUR)
    n = {
        HEALTHY: 4 + int(r.random() * 3),
        REGRESS: 4 + int(r.random() * 3),
        CHURN: 2 + int(r.random() * 4),
    }.get(kind, 1 + int(r.random() * 4))
    c.features(first_login, n, (3, 16) if kind != SLOW else (15, 60), 0.5)
    p_exec = {HEALTHY: 0.78, REGRESS: 0.6, CHURN: 0.5}.get(kind, 0.35)
    for t in c.every(t0 + r.u(70, 110) * DAY, 80, 100):
        d = c.distress(t)
        if r.chance(0.12 + 0.3 * d):
            continue
        level = (
            r.pick(("vp", "vp", "c_level"))
            if r.chance(p_exec - 0.3 * d)
            else r.pick(("manager", "director", "director"))
        )
        c.emit(c.meet(t), "qbr_held", ((_COL["attendee_level"], level),))
    c.emit(opened, "renewal_opened")
    if kind == REGRESS and r.chance(0.8):
        push = c.biz(opened + r.u(10, 40) * DAY)
        c.emit(push, "renewal_pushback")
        again = c.biz(push + r.u(25, 60) * DAY)
        c.emit(again, "renewal_opened")
        c.emit(c.biz(again + r.u(10, 50) * DAY), "renewal_signed")
    elif churn is not None:
        if churn > opened and r.chance(0.4):
            c.emit(c.biz(opened + r.u(7, 30) * DAY), "renewal_pushback")
    else:
        c.emit(
            c.biz(opened + _days(c, (10, 58), (62, 95), 0.5 if kind == SLOW else 0.85)),
            "renewal_signed",
        )
    if kind == HEALTHY and r.chance(0.3):
        c.emit(c.biz(t0 + r.u(120, 520) * DAY), "referral_made")
    p_left = {CHURN: 0.0, REGRESS: 0.15}.get(kind, 0.07)
    if r.chance(p_left):
        c.emit(c.biz(t0 + r.u(30, 550) * DAY), "champion_left")
    for a, peak, _b, _ in c.trouble:
        if kind == CHURN and r.chance(0.35):
            c.emit(c.biz(r.u(a, peak)), "champion_left")
    c.tickets(1.2, 0.1, ("defect", "how_to", "how_to", "installation", "billing", "other"))
    c.nps(r.u(40, 100))


def _smb(c: _Customer) -> None:
    r, t0, kind = c.r, c.t0, c.kind
    trial_end = t0 + 14 * DAY
    if kind == TRIAL:
        c.plan(None, (0, 0))
        c.finish(trial_end, "trial_expired")
        c.emit(t0, "signed_up", _attrs(c))
        fading = lambda t: max(0.1, 1 - (t - t0) / (12 * DAY))  # noqa: E731
        c.emit_all(c.times(0.7, t0 + 600, consumer=True, fn=fading), "login")
        if r.chance(0.6):
            ws = t0 + r.u(0.1, 40) * HOUR
            c.emit(ws, "workspace_created")
            if r.chance(0.45):
                c.emit(ws + r.u(0.1, 5) * DAY, "data_source_connected")
                if r.chance(0.5):
                    c.emit(ws + r.u(1, 9) * DAY, "dashboard_created")
                    c.emit(ws + r.u(1, 9) * DAY, "feature_used", ((_COL["feature"], "dashboards"),))
            elif r.chance(0.3):
                c.emit(ws + r.u(0.5, 8) * DAY, "teammate_invited")
        return
    churn = t0 + r.u(40, 320) * DAY if kind == CHURN or (kind == SLOW and r.chance(0.5)) else None
    c.plan(churn, (35, 80))
    if churn is not None:
        c.finish(c.biz(churn), "subscription_cancelled")
    c.emit(t0, "signed_up", _attrs(c))
    p_ok = 0.6 if kind == SLOW else 0.88
    ws = t0 + (r.u(0.05, 20) if r.chance(p_ok) else r.u(25, 80)) * HOUR
    c.emit(ws, "workspace_created")
    ds = ws + _days(c, (0.05, 2.8), (3.3, 10), p_ok)
    c.emit(ds, "data_source_connected")
    dash = ds + _days(c, (0.02, 3.5), (5, 15), p_ok)
    c.emit(dash, "dashboard_created")
    invite = ws + _days(c, (0.5, 12.5), (15, 35), p_ok)
    if kind != SLOW or r.chance(0.75):  # the rest stall in self-onboarding
        c.emit(invite, "teammate_invited")
    active = max(dash, invite)
    c.logins("login", 3.8, t0 + 300)
    c.features(
        dash,
        {HEALTHY: 3 + int(r.random() * 3), REGRESS: 3 + int(r.random() * 3)}.get(
            kind, 1 + int(r.random() * 3)
        ),
        (3, 20) if kind != SLOW else (10, 50),
        0.5,
        ("dashboards", "reports", "alerts", "exports", "api"),
    )
    if (kind == HEALTHY and r.chance(0.45)) or kind == REGRESS:
        up = c.biz(active + r.u(20, 250) * DAY)
        c.emit(up, "plan_upgraded")
        if r.chance(0.85):
            c.emit(
                up + _days(c, (1, 25), (32, 60), 0.85),
                "seats_changed",
                ((_COL["change"], str(1 + int(r.random() * 8))),),
            )
        if kind == REGRESS:
            down = c.biz(up + r.u(30, 150) * DAY)
            c.emit(down, "plan_downgraded")
            c.emit(
                down + r.u(0, 3) * DAY,
                "seats_changed",
                ((_COL["change"], str(-1 - int(r.random() * 5))),),
            )
    for t in c.times(0.5 / 365 * 12, active + 30 * DAY):  # seat changes now and then
        c.emit(t, "seats_changed", ((_COL["change"], r.pick(("1", "2", "-1", "1", "-2", "3"))),))
    for t in c.times(0.3 / 365, t0 + 20 * DAY, fn=lambda t: 1 + 8 * c.distress(t), fmax=9.0):
        c.emit(t, "payment_failed")
    for t in c.times(0.25 / 365, t0 + 20 * DAY, fn=lambda t: 1 + 5 * c.distress(t), fmax=6.0):
        c.emit(t, "cancellation_page_viewed")
    if churn is not None and r.chance(0.4):
        for _ in range(1 + int(r.random() * 2)):
            c.emit(churn - r.u(1, 20) * DAY, "cancellation_page_viewed")
    for t in c.every(t0 + r.u(20, 90) * DAY, 60, 120):
        if r.chance(0.35):
            rating = round(r.gauss((c.sat - 5) / 1.2 + 1.5 - 2.5 * c.distress(t), 0.8))
            c.emit(t, "in_app_survey_answered", ((_COL["rating"], str(min(5, max(1, rating)))),))
    c.tickets(0.35, 0.03, ("how_to", "how_to", "billing", "defect", "other"), 0.05)


def _services(c: _Customer) -> None:
    # Phases in the order the customer lives them; each keeps its random draws in that order,
    # so the sample stays byte-identical.
    churn = _services_plan(c)
    proactive, reviews = _services_onboarding(c)
    advocate = _services_sponsor(c, proactive, reviews)
    _services_operations(c, proactive, churn)
    _services_billing(c)
    c.logins("portal_login", 2.0, c.t0 + 3 * DAY)
    c.logins("report_viewed", 1.2, c.t0 + 7 * DAY)
    c.tickets(1.0, 0.08, ("defect", "installation", "how_to", "other"))
    c.nps(c.r.u(45, 100))
    _services_advocacy(c, advocate)


def _services_plan(c: _Customer) -> float | None:
    """The contract's end, if it ends: churn, or a planned offboarding (which changes the kind)."""
    r, t0, kind = c.r, c.t0, c.kind
    term = r.pick(("12", "12", "24", "36"))
    if kind == HEALTHY and r.chance(0.3):  # a planned end: insourcing, or a one-year project
        kind = c.kind = OFFBOARD
    churn = None
    if kind == CHURN or (kind == SLOW and r.chance(0.5)):
        churn = (
            t0 + (int(term) * 30.4 - r.u(0, 40)) * DAY
            if term == "12" and r.chance(0.5)
            else t0 + r.u(60, 330) * DAY
        )
    c.plan(churn, (55, 100))
    if churn is not None:
        if r.chance(0.45):
            c.finish(c.biz(churn), "contract_terminated")
        else:
            reason = r.pick(("cost", "dissatisfaction", "dissatisfaction", "acquisition", "other"))
            c.finish(c.biz(churn), "contract_ended", ((_COL["reason"], reason),))
    elif kind == OFFBOARD and term == "12":
        c.finish(
            c.biz(t0 + r.u(355, 365) * DAY), "contract_ended", ((_COL["reason"], "term_completed"),)
        )
    elif kind == OFFBOARD:
        c.finish(
            c.biz(t0 + r.u(120, 420) * DAY),
            "contract_ended",
            ((_COL["reason"], "planned_insourcing"),),
        )
    return churn


def _services_onboarding(c: _Customer) -> tuple[float, list[float]]:
    """Onboarding to proactive service; returns when it became proactive and the reviews held."""
    r, t0, kind = c.r, c.t0, c.kind
    c.emit(t0, "contract_signed", _attrs(c))
    p_ok = 0.5 if kind == SLOW else 0.85
    workshop = c.meet(t0 + _days(c, (2, 12), (15, 30), p_ok))
    c.emit(workshop, "onboarding_workshop_held")
    runbook_in = (
        r.u(35, 130) * DAY if kind == SLOW and r.chance(0.5) else _days(c, (12, 29), (32, 55), p_ok)
    )
    runbook = c.meet(max(workshop + 2 * DAY, t0 + runbook_in))
    c.emit(runbook, "runbook_approved")
    monitoring = c.biz(t0 + r.u(8, 40) * DAY)
    if kind == SLOW and r.chance(0.5):
        monitoring = c.biz(monitoring + r.u(30, 120) * DAY)
    c.emit(monitoring, "monitoring_enabled")
    proactive = max(runbook, monitoring)
    reviews = [
        c.meet(t)
        for t in c.every(t0 + r.u(25, 35) * DAY, 26, 34)
        if not r.chance(0.1 + 0.3 * c.distress(t))
    ]
    for t in reviews:
        c.emit(t, "service_review_held")
    for t in c.every(proactive + _days(c, (7, 55), (62, 110), p_ok), 80, 100):
        c.emit(c.biz(t), "health_check_delivered")
    return proactive, reviews


def _services_sponsor(c: _Customer, proactive: float, reviews: list[float]) -> float | None:
    """An executive sponsor, roadmap workshops, advocacy or expansion; sponsors that leave.
    Returns the roadmap workshop of a healthy customer that has no case study yet, if any."""
    r, t0, kind = c.r, c.t0, c.kind
    p_ok = 0.5 if kind == SLOW else 0.85
    p_sponsor = {HEALTHY: 0.75, REGRESS: 0.9, CHURN: 0.35}.get(kind, 0.15)
    advocate = None
    if r.chance(p_sponsor):
        sponsor = c.biz(proactive + r.u(15, 140) * DAY)
        c.emit(sponsor, "exec_sponsor_assigned")
        strategic = max([sponsor, *[t for t in reviews if t > proactive][:1]])
        roadmap = c.meet(strategic + _days(c, (10, 55), (62, 100), p_ok))
        c.emit(roadmap, "roadmap_workshop_held")
        advocate = roadmap if kind == HEALTHY else None
        if kind == HEALTHY and r.chance(0.65):
            if r.chance(0.5):
                c.emit(c.biz(roadmap + r.u(20, 150) * DAY), "case_study_published")
                advocate = None
            else:
                c.emit(
                    c.biz(roadmap + r.u(20, 150) * DAY),
                    "contract_expanded",
                    ((_COL["term_years"], "3"),),
                )
        if kind == REGRESS:
            left = c.biz(strategic + r.u(30, 200) * DAY)
            c.emit(left, "exec_sponsor_left")
            if r.chance(0.7):
                again = c.biz(left + r.u(20, 90) * DAY)
                c.emit(again, "exec_sponsor_assigned")
                c.emit(c.meet(again + r.u(35, 70) * DAY), "roadmap_workshop_held")
    elif kind == HEALTHY and r.chance(0.3):
        c.emit(
            c.biz(t0 + r.u(200, 400) * DAY),
            "contract_expanded",
            ((_COL["term_years"], r.pick(("1", "2"))),),
        )
    return advocate


def _services_advocacy(c: _Customer, roadmap: float | None) -> None:
    """Most healthy customers with a roadmap and no case study yet co-author one, on the sponsor
    phase's schedule. Its own phase, drawn last, so the customer's other events keep their
    draws: the sponsor phase alone made so few case studies that the 400-customer sample had
    none (and a data check warned on every command), and this adds events without moving any."""
    if roadmap is not None and c.r.chance(0.8):
        c.emit(c.biz(roadmap + c.r.u(20, 150) * DAY), "case_study_published")


def _services_operations(c: _Customer, proactive: float, churn: float | None) -> None:
    """SLA breaches (and firefighting), QBRs and organisation changes."""
    r, t0, kind = c.r, c.t0, c.kind
    if kind == REGRESS and r.chance(0.5):  # repeated SLA breaches: back to firefighting
        t = proactive + r.u(20, 120) * DAY
        for _ in range(3):
            t += r.u(2, 9) * DAY
            c.emit(t, "sla_breached")
        c.emit(c.meet(t + r.u(10, 35) * DAY), "runbook_approved")
        c.emit(c.biz(t + r.u(12, 40) * DAY), "monitoring_enabled")
    for t in c.times(0.1 / 30, t0 + 30 * DAY, fn=lambda t: 1 + 10 * c.distress(t), fmax=11.0):
        c.emit(t, "sla_breached")
    p_exec = {HEALTHY: 0.72, REGRESS: 0.6}.get(kind, 0.35)
    for t in c.every(t0 + r.u(80, 120) * DAY, 80, 100):
        level = (
            r.pick(("vp", "c_level"))
            if r.chance(p_exec - 0.3 * c.distress(t))
            else r.pick(("manager", "director"))
        )
        c.emit(c.meet(t), "qbr_held", ((_COL["attendee_level"], level),))
    if r.chance(0.12):
        c.emit(c.biz(t0 + r.u(30, 600) * DAY), "org_change_reported")
    for a, peak, _b, _ in c.trouble:
        if churn is not None and r.chance(0.4):
            c.emit(c.biz(r.u(a, peak)), "org_change_reported")


def _services_billing(c: _Customer) -> None:
    """Monthly invoices: issued, sometimes disputed, paid on time or late."""
    r, t0 = c.r, c.t0
    status = _COL["status"]
    for t in c.every(t0 + r.u(0, 5) * DAY, 30, 31):
        issued = c.biz(t)
        c.emit(issued, "invoice_status_changed", ((status, "issued"),))
        d = c.distress(issued)
        if r.chance(0.03 + 0.15 * d):
            disputed = c.biz(issued + r.u(3, 20) * DAY)
            c.emit(disputed, "invoice_status_changed", ((status, "disputed"),))
            c.emit(
                c.biz(disputed + r.u(7, 40) * DAY),
                "invoice_status_changed",
                ((status, "resolved"),),
            )
        if r.chance(0.05 + 0.4 * d):
            c.emit(c.biz(issued + 31 * DAY), "payment_overdue")
            c.emit(c.biz(issued + r.u(35, 70) * DAY), "invoice_status_changed", ((status, "paid"),))
        else:
            c.emit(c.biz(issued + r.u(5, 28) * DAY), "invoice_status_changed", ((status, "paid"),))


def _durables(c: _Customer) -> None:
    # Phases in the order the customer lives them; each keeps its random draws in that order,
    # so the sample stays byte-identical.
    churn, registered = _durables_plan(c)
    delivered, install = _durables_delivery(c)
    if c.kind == EARLY_RETURN:
        _durables_early_return(c, delivered, install)
        return
    install, in_service = _durables_installed(c, delivered, install)
    if registered:
        c.emit(c.biz(in_service + _days(c, (1, 28), (31, 60), 0.88)), "warranty_registered")
    retention = _durables_retention(c, in_service)
    _durables_life(c, install, in_service, retention, churn)


def _durables_plan(c: _Customer) -> tuple[float | None, bool]:
    r, t0, kind = c.r, c.t0, c.kind
    churn = t0 + r.u(45, 300) * DAY if kind == CHURN else None
    c.plan(churn, (20, 50))
    registered = r.chance(0.5)
    if churn is not None:
        c.finish(c.biz(churn), "product_returned")
    elif kind != EARLY_RETURN and (kind != SLOW or r.chance(0.5)):
        c.finish(t0 + (730 if registered else 365) * DAY, "warranty_expired")
    return churn, registered


def _durables_delivery(c: _Customer) -> tuple[float, float]:
    r, t0, kind = c.r, c.t0, c.kind
    c.emit(t0, "purchase_completed", _attrs(c))
    p_ok = 0.6 if kind == SLOW else 0.88
    delivered = c.biz(t0 + _days(c, (1, 9), (10.5, 20), p_ok))
    c.emit(delivered, "order_delivered")
    install = delivered + r.u(1, 10) * DAY
    x = r.random()
    for _ in range(0 if x < 0.78 else 1 if x < 0.93 else 2):
        c.emit(c.biz(delivered + r.u(0.5, 3) * DAY), "installation_rescheduled")
        install += r.u(4, 10) * DAY
    return delivered, c.biz(install)


def _durables_early_return(c: _Customer, delivered: float, install: float) -> None:
    """Damaged or faulty at delivery."""
    r = c.r
    t = c.biz(delivered + r.u(0.2, 6) * DAY)
    c.emit(t, "ticket_opened", ((_COL["priority"], "P2"), (_COL["category"], "defect")))
    if r.chance(0.7):  # or straight back to the shop
        c.emit(t + r.u(1, 48) * HOUR, "return_requested")
    c.finish(c.biz(t + r.u(5, 20) * DAY), "product_returned")
    if r.chance(0.4):
        c.emit(
            install,
            "installation_completed",
            ((_COL["installer_id"], f"INS-{int(r.random() * 9000) + 1000}"),),
        )


def _durables_installed(c: _Customer, delivered: float, install: float) -> tuple[float, float]:
    """Installation, app pairing, heartbeats and firmware updates; returns (install, in service)."""
    r = c.r
    installer = f"INS-{int(r.random() * 9000) + 1000}"
    certified = r.chance(0.95)
    c.emit(
        install, "installation_completed", ((_COL["installer_id"], installer if certified else ""),)
    )
    if not certified and r.chance(0.5):
        install = c.biz(install + r.u(15, 40) * DAY)
        c.emit(install, "installation_completed", ((_COL["installer_id"], installer),))
    x = r.random()
    paired = (
        install
        + (
            r.u(0, 0.5)
            if x < 0.6
            else r.u(0.5, 12)
            if x < 0.76
            else r.u(22, 60)
            if x < 0.86
            else 10_000
        )
        * DAY
    )
    c.emit(paired, "app_paired")
    in_service = max(install, min(paired, delivered + 21 * DAY))
    hour = r.u(0, 24) * HOUR
    k = 1.0 / max(c.s.activity, 1e-6)
    day = (int(paired) // DAY + 1) * DAY
    online = c.shape()
    while day < c.stop:  # heartbeats: daily while online
        t = day + hour + r.u(-2, 2) * HOUR
        if r.random() < (0.98 if online is None else 0.98 * online(t)):
            c.emit(t, "device_heartbeat")
        day += int(DAY * k) if k > 1 else DAY
    for t in c.every(paired + r.u(20, 60) * DAY, 40, 80):
        failed = r.chance(0.08 + 0.3 * c.distress(t))
        c.emit(
            t, "firmware_update_attempted", ((_COL["result"], "failed" if failed else "succeeded"),)
        )
    return install, in_service


def _durables_retention(c: _Customer, in_service: float) -> float | None:
    """Maintenance, care plan and accessories; returns when the customer first came back, if ever."""
    r, kind = c.r, c.kind
    retention = None
    if r.chance({HEALTHY: 0.85, REGRESS: 0.95}.get(kind, 0.45)):
        first = c.biz(in_service + r.u(40, 170) * DAY)
        retention = first
        for t in c.every(first, 60, 120):
            c.emit(
                c.biz(t),
                "maintenance_completed",
                (
                    (
                        _COL["kind"],
                        r.pick(("filter_change", "descaling", "filter_change", "service_visit")),
                    ),
                ),
            )
    if r.chance(0.12):
        plan = c.biz(in_service + r.u(10, 200) * DAY)
        c.emit(plan, "care_plan_purchased")
        retention = min(retention or plan, plan)
    if retention is not None and r.chance({HEALTHY: 0.7}.get(kind, 0.35)):
        for t in c.every(retention + r.u(10, 170) * DAY, 60, 150):
            c.emit(t, "accessory_purchased")
    return retention


def _durables_life(
    c: _Customer,
    install: float,
    in_service: float,
    retention: float | None,
    churn: float | None,
) -> None:
    """Reviews, referrals, defects, returns and tickets over the product's life."""
    r, kind = c.r, c.kind
    if r.chance(0.3):
        t = in_service + r.u(20, 300) * DAY
        rating = round(r.gauss(4.4 if kind == HEALTHY else 3.5, 0.9) - 3 * c.distress(t))
        c.emit(t, "review_posted", ((_COL["rating"], str(min(5, max(1, rating)))),))
    if kind == HEALTHY and r.chance(0.06):
        c.emit(in_service + r.u(30, 400) * DAY, "referral_made")
    if kind == REGRESS and retention is not None:  # repeated defects
        t = c.biz(retention + r.u(20, 150) * DAY)
        for _ in range(2):
            c.emit(t, "ticket_opened", ((_COL["priority"], "P2"), (_COL["category"], "defect")))
            t = c.biz(t + r.u(5, 50) * DAY)
        c.emit(t, "maintenance_completed", ((_COL["kind"], "repair"),))
    if kind in (HEALTHY, REGRESS, SLOW) and r.chance(0.05):  # asked for a return, kept it
        t = c.biz(install + r.u(5, 200) * DAY)
        c.emit(t, "return_requested")
        c.emit(c.biz(t + r.u(3, 15) * DAY), "maintenance_completed", ((_COL["kind"], "repair"),))
    for t in c.times(
        0.15 / 30, install, consumer=True, fn=lambda t: 1 + 6 * c.distress(t), fmax=7.0
    ):
        d = c.distress(t)
        cat = "defect" if r.chance(0.25 + 0.5 * d) else r.pick(("how_to", "installation", "other"))
        c.emit(
            c.biz(t),
            "ticket_opened",
            ((_COL["priority"], r.pick(("P2", "P3", "P3"))), (_COL["category"], cat)),
        )
    if churn is not None and r.chance(0.65):
        c.emit(churn - r.u(4, 20) * DAY, "return_requested")


def _legacy(c: _Customer) -> None:
    r = c.r
    churn = c.t0 + r.u(60, 400) * DAY if c.kind == CHURN else None
    c.plan(churn, (50, 100))
    if churn is not None:
        c.finish(c.biz(churn), "contract_cancelled")
    c.emit(c.t0, "login", _attrs(c))
    c.logins("login", 2.0, c.t0 + HOUR)
    c.tickets(0.8, 0.1, ("defect", "how_to", "other"))
    c.nps(r.u(30, 90))


_JOURNEYS: dict[str, Callable[[_Customer], None]] = {
    "enterprise": _enterprise,
    "smb": _smb,
    "services": _services,
    "durables": _durables,
    "legacy": _legacy,
}


def _customer_events(span: _Span, seed: int, idx: int, r: _Rng) -> list[Event]:
    prof = profile(seed, idx, r)
    c = _Customer(span, r, prof)  # goes on drawing from the profile's stream
    _JOURNEYS[prof.journey](c)
    c.ev.sort(key=lambda e: e[0])  # stable: ties keep the order they were emitted in
    if c.end_at is not None:
        c.ev.append((int(c.end_at), *c.terminal))
    return c.ev


# --------------------------------------------------------------------------------------------
# The whole log, in global time order.


def customer_id(idx: int, customers: int) -> str:
    return f"c-{idx + 1:0{max(5, len(str(customers)))}d}"


def _rows(
    span: _Span, customers: int, seed: int, tmpdir: str | None, stats: dict[str, int]
) -> Iterator[tuple[str, ...]]:
    """Every event row, in time order (ties: by customer, then as generated). Customers are
    generated one at a time; their events go to time buckets, spilled to disk when many are
    buffered, then each bucket is sorted and yielded. `stats["events"]` holds the number of
    rows once the first one is yielded."""
    nbuckets = max(1, min(_MAX_BUCKETS, (span.end - span.t0) // (2 * DAY)))
    width = -(-(span.end - span.t0) // nbuckets)
    buffers: list[list[Row]] = [[] for _ in range(nbuckets)]
    buffered = total = 0
    r = _Rng()
    tails: dict[tuple[str, Props], tuple[str, ...]] = {}
    blank = [""] * (len(COLUMNS) - 3)
    tmp = ""  # the spill directory, made on the first spill only
    with contextlib.ExitStack() as cleanup:

        def spill() -> None:
            nonlocal tmp
            if not tmp:
                tmp = cleanup.enter_context(
                    tempfile.TemporaryDirectory(prefix="journeyctl-sampledata-", dir=tmpdir)
                )
            for b, rows in enumerate(buffers):
                if rows:
                    with open(os.path.join(tmp, f"{b}.pkl"), "ab") as fh:
                        pickle.dump(rows, fh, protocol=pickle.HIGHEST_PROTOCOL)
                    buffers[b] = []

        for idx in range(customers):
            events = _customer_events(span, seed, idx, r)
            for pos, (ts, name, props) in enumerate(events):
                tail = tails.get((name, props))
                if tail is None:  # the cells from `event` on, shared by equal events
                    cells = [name, *blank]
                    for col, value in props or ():
                        cells[col - 2] = value
                    tail = tails[(name, props)] = tuple(cells)
                buffers[(ts - span.t0) // width].append((ts, idx, pos, tail))
            buffered += len(events)
            total += len(events)
            if buffered >= _FLUSH_ROWS:
                spill()
                buffered = 0
        if tmp:
            spill()
        stats["events"] = total
        ids = [customer_id(i, customers) for i in range(customers)]
        stamp = span.stamp
        for b in range(nbuckets):
            rows = buffers[b]
            path = os.path.join(tmp, f"{b}.pkl")
            if tmp and os.path.exists(path):
                with open(path, "rb") as fh:
                    while True:
                        try:
                            rows.extend(pickle.load(fh))
                        except EOFError:
                            break
                os.remove(path)
            rows.sort()
            buffers[b] = []
            for ts, idx, _pos, tail in rows:
                yield (ids[idx], stamp(ts), *tail)


def generate(
    customers: int,
    seed: int = DEFAULT_SEED,
    start: dt.date = DEFAULT_START,
    months: int = DEFAULT_MONTHS,
    *,
    activity: float = 1.0,
    tmpdir: str | None = None,
) -> Iterator[tuple[str, ...]]:
    """The event rows (cells in `COLUMNS` order, no header), in time order.

    `activity` scales every recurring activity (logins, tickets, reviews...); `tmpdir` is where
    large runs spill their buckets (default: the system's temporary directory)."""
    return _rows(_Span(start, months, activity), customers, seed, tmpdir, {})


def activity_for(
    events: int,
    customers: int,
    seed: int = DEFAULT_SEED,
    start: dt.date = DEFAULT_START,
    months: int = DEFAULT_MONTHS,
) -> float:
    """The activity scale that makes `customers` customers emit about `events` events, found by
    two secant steps on a pilot of up to 1000 of them (events grow about linearly with it)."""
    pilot = min(customers, 1000)
    r = _Rng()

    def count(act: float) -> float:
        span = _Span(start, months, act)
        return sum(len(_customer_events(span, seed, i, r)) for i in range(pilot)) / pilot

    want = events / customers
    a0, a1 = 1.0, 0.5
    c0, c1 = count(a0), count(a1)
    for _ in range(2):
        slope = (c0 - c1) / (a0 - a1) if c0 != c1 else 1.0
        a0, c0 = a1, c1
        a1 = min(100.0, max(0.005, a1 + (want - c1) / max(slope, 1e-9)))
        c1 = count(a1)
    return a1


@contextlib.contextmanager
def _text_out(path: str) -> Iterator[IO[str]]:
    """A text stream to `path`: gzip when it ends with .gz, stdout for -."""
    if path == "-":
        yield sys.stdout
        sys.stdout.flush()
        return
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, "wb") as raw:
        if path.endswith(".gz"):
            # No name and mtime 0 in the gzip header: the bytes depend on the content only.
            with (
                gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=1) as gz,
                io.TextIOWrapper(gz, encoding="utf-8", newline="") as fh,
            ):
                yield fh
        else:
            with io.TextIOWrapper(raw, encoding="utf-8", newline="") as fh:
                yield fh


def write_csv(
    path: str,
    customers: int | None = None,
    seed: int = DEFAULT_SEED,
    start: dt.date = DEFAULT_START,
    months: int = DEFAULT_MONTHS,
    events: int | None = None,
) -> int:
    """Write the event log to `path` (gzip when it ends with .gz, stdout for -); returns the
    number of events. `events` asks for about that many events (customers default to 1/20)."""
    if customers is None:
        if events is None:
            raise ValueError("give customers or events")
        customers = max(1, round(events / EVENTS_PER_CUSTOMER))
    activity = activity_for(events, customers, seed, start, months) if events else 1.0
    tmpdir = os.path.dirname(os.path.abspath(path)) if path != "-" else None
    stats: dict[str, int] = {}
    rows = _rows(_Span(start, months, activity), customers, seed, tmpdir, stats)
    with _text_out(path) as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(COLUMNS)
        writer.writerows(rows)
    return stats["events"]


def accounts(customers: int, seed: int = DEFAULT_SEED) -> Iterator[list[str]]:
    """One account row per customer, in `ACCOUNT_COLUMNS` order; the attributes are the ones the
    customer's events carry."""
    r = _Rng()
    for idx in range(customers):
        p = profile(seed, idx, r)
        a = p.attrs
        yield [
            customer_id(idx, customers),
            p.name,
            p.owner,
            str(p.arr),
            p.tier,
            a["product"],
            a["size"],
            a["region"],
            a["industry"],
        ]


def write_accounts(path: str, customers: int, seed: int = DEFAULT_SEED) -> int:
    """Write the accounts CSV; returns the number of rows."""
    n = 0
    with _text_out(path) as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(ACCOUNT_COLUMNS)
        for row in accounts(customers, seed):
            writer.writerow(row)
            n += 1
    return n


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m journeyctl.sampledata",
        description="Generate a seeded, realistic event log (and accounts) for the sample "
        "journeys. The same arguments always give the same bytes.",
    )
    ap.add_argument(
        "--customers",
        type=int,
        help=f"number of customers (default 400, or events/{EVENTS_PER_CUSTOMER} with --events)",
    )
    ap.add_argument("--events", type=int, help="about this many events in total")
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"default {DEFAULT_SEED}")
    ap.add_argument(
        "--start",
        type=dt.date.fromisoformat,
        default=DEFAULT_START,
        help=f"first day of the log (default {DEFAULT_START})",
    )
    ap.add_argument(
        "--months", type=int, default=DEFAULT_MONTHS, help=f"length (default {DEFAULT_MONTHS})"
    )
    ap.add_argument("--out", required=True, help="events CSV (.csv.gz for gzip, - for stdout)")
    ap.add_argument("--accounts", help="also write the accounts CSV here")
    ap.add_argument("-q", "--quiet", action="store_true", help="no summary on stderr")
    args = ap.parse_args(argv)
    if any(v is not None and v < 1 for v in (args.customers, args.events, args.months)):
        ap.error("--customers, --events and --months must be positive")
    customers = args.customers
    if customers is None:
        customers = 400 if args.events is None else max(1, round(args.events / EVENTS_PER_CUSTOMER))
    started = time.perf_counter()
    try:
        n = write_csv(args.out, customers, args.seed, args.start, args.months, args.events)
        took = time.perf_counter() - started
        if args.accounts:
            write_accounts(args.accounts, customers, args.seed)
    except BrokenPipeError:  # `... --out - | head`
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except OSError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if not args.quiet:
        print(
            f"{args.out}: {n} events, {customers} customers in {took:.1f}s "
            f"({n / max(took, 1e-9):,.0f} events/s)",
            file=sys.stderr,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
