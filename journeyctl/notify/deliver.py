"""Delivery (PRODUCT §10): retry what earlier runs failed to send, send this run's messages once,
record every message in the history database, and summarise what is left failed in one line."""

from __future__ import annotations

import time
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, replace

from journeyctl.history import notifications as log
from journeyctl.history.notifications import (
    FAILED,
    GIVEN_UP,
    SENDING,
    SENT,
    NotificationRecord,
)
from journeyctl.history.store import HistoryStore
from journeyctl.notify.config import Rule, scrub
from journeyctl.notify.message import Message
from journeyctl.notify.send import Sender, SendError

ATTEMPTS = 3
RETRY_DELAYS = (1.0, 2.0)  # seconds before the 2nd and the 3rd attempt
MAX_RUNS = 3  # a message still failed after this many report runs is given up


@dataclass(frozen=True, slots=True)
class Outcome:
    as_of: int
    rule: str
    recipient: str
    destination: str
    status: str  # sent | failed | given_up, or `already` (recorded before: not sent again)
    attempts: int  # in this run
    error: str | None
    retry: bool  # a message of an earlier run, retried

    @property
    def target(self) -> str:
        if self.recipient == self.destination:
            return self.destination
        return f"{self.recipient} via {self.destination}"


@dataclass(frozen=True, slots=True)
class Delivery:
    outcomes: tuple[Outcome, ...]

    def count(self, status: str) -> int:
        return sum(1 for o in self.outcomes if o.status == status)

    @property
    def failed(self) -> bool:
        return any(o.status in (FAILED, GIVEN_UP) for o in self.outcomes)

    def summary(self) -> str | None:
        """The one line of PRODUCT §10 when a failure is left, else None."""
        parts = []
        for status, tail in (
            (FAILED, "it will be retried on the next run"),
            (GIVEN_UP, f"given up after {MAX_RUNS} runs"),
        ):
            bad = [o for o in self.outcomes if o.status == status]
            if not bad:
                continue
            n = len(bad)
            what = "failed" if status == FAILED else "not delivered"
            items = "; ".join(f"{o.rule} -> {o.target}: {o.error}" for o in bad)
            if status == FAILED and n > 1:
                tail = "they will be retried on the next run"
            parts.append(f"{n} notification{'s' if n != 1 else ''} {what}: {items}; {tail}")
        return "report stored; " + "; ".join(parts) if parts else None


def attempt(
    send: Sender,
    rule: Rule,
    m: Message,
    delays: Sequence[float],
    sleep: Callable[[float], None],
) -> tuple[int, str | None]:
    """Up to ATTEMPTS sends, waiting `delays` between them: (attempts made, last error or None)."""
    error: str | None = None
    for i in range(ATTEMPTS):
        if i:
            sleep(delays[min(i - 1, len(delays) - 1)])
        try:
            send(rule, m)
            return i + 1, None
        except SendError as exc:
            error = scrub(str(exc), rule.secrets)
    return ATTEMPTS, error


def _message_of(rec: NotificationRecord) -> Message:
    return Message(
        rec.as_of,
        rec.rule,
        rec.channel,
        rec.recipient,
        False,
        rec.customers,
        rec.subject,
        rec.payload,
    )


def _record_of(m: Message, destination: str, at: int) -> NotificationRecord:
    """A message as first recorded: taken (`sending`) by this run, in its first run."""
    return NotificationRecord(
        m.as_of,
        m.rule,
        m.recipient,
        m.channel,
        destination,
        SENDING,
        0,
        1,
        m.customers,
        m.subject,
        None,
        at,
        m.body,
    )


def deliver(
    store: HistoryStore,
    rules: Sequence[Rule],
    messages: Sequence[Message],
    *,
    send: Sender,
    now: Callable[[], int],
    known_rules: Collection[str] | None = None,
    delays: Sequence[float] = RETRY_DELAYS,
    sleep: Callable[[float], None] = time.sleep,
) -> Delivery:
    """Retry the failed messages of `rules` from earlier runs, then send `messages` not sent yet.

    `known_rules` are the names of every configured rule (default: `rules`): a failed message of a
    rule that is no longer configured is given up; one of a rule not chosen now waits."""
    by_name = {r.name: r for r in rules}
    known = set(known_rules) if known_rules is not None else set(by_name)
    outcomes: list[Outcome] = []
    for rec in log.failed(store, now()):
        rule = by_name.get(rec.rule)
        if rule is None and rec.rule in known:
            continue  # a rule not chosen by --notify NAME: its turn comes
        if not log.claim_retry(store, rec, now()):
            continue  # another run retries it
        error: str | None
        if rule is None or rule.channel != rec.channel:
            error = "the rule was removed or its channel changed"
            status, n = GIVEN_UP, 0
        else:
            n, error = attempt(send, rule, _message_of(rec), delays, sleep)
            status = SENT if error is None else (GIVEN_UP if rec.runs + 1 >= MAX_RUNS else FAILED)
        log.put(
            store,
            replace(
                rec,
                status=status,
                attempts=rec.attempts + n,
                runs=rec.runs + 1,
                last_error=error if error is not None else rec.last_error,
                updated_at=now(),
            ),
        )
        outcomes.append(
            Outcome(rec.as_of, rec.rule, rec.recipient, rec.destination, status, n, error, True)
        )
    for m in messages:
        rule = by_name[m.rule]
        key = (m.as_of, m.rule, m.recipient)
        rec = _record_of(m, rule.destination, now())
        if not log.claim(store, rec):
            if not any(o.retry and (o.as_of, o.rule, o.recipient) == key for o in outcomes):
                outcomes.append(Outcome(*key, rule.destination, "already", 0, None, False))
            continue
        n, error = attempt(send, rule, m, delays, sleep)
        status = SENT if error is None else (GIVEN_UP if MAX_RUNS <= 1 else FAILED)
        log.put(store, replace(rec, status=status, attempts=n, last_error=error, updated_at=now()))
        outcomes.append(Outcome(*key, rule.destination, status, n, error, False))
    return Delivery(tuple(outcomes))
