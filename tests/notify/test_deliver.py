"""Delivery bookkeeping with a stand-in sender: once per message, retries across runs, give-up,
and two runs at once (the real senders are tested against real servers in test_http/test_email)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from journeyctl.history import HistoryStore
from journeyctl.history import notifications as log
from journeyctl.history.notifications import STALE
from journeyctl.notify.config import Rule, parse_rules
from journeyctl.notify.deliver import deliver
from journeyctl.notify.message import Message
from journeyctl.notify.send import SendError


def rules(*names: str) -> tuple[Rule, ...]:
    return parse_rules(
        [
            {"name": n, "on": ["churned"], "channel": "webhook", "url": "https://h.example.com/t"}
            for n in names
        ],
        "j.toml",
        {},
    )


def msg(rule: str = "a", as_of: int = 1) -> Message:
    return Message(as_of, rule, "webhook", "https://h.example.com", False, 1, "s", "{}")


class Sender:
    def __init__(self, fail: int = 0) -> None:
        self.sent: list[str] = []
        self.fail = fail

    def __call__(self, rule: Rule, m: Message) -> None:
        self.sent.append(m.rule)
        if self.fail:
            self.fail -= 1
            raise SendError("HTTP 503")


@pytest.fixture
def store(tmp_path: Path) -> Iterator[HistoryStore]:
    with HistoryStore.open(str(tmp_path / "h.db")) as s:
        yield s


def go(
    store: HistoryStore, send: Sender, messages: list[Message], *names: str, at: int = 0
) -> list[tuple[str, str, int]]:
    d = deliver(
        store, rules(*(names or ("a",))), messages, send=send, now=lambda: at, sleep=lambda s: None
    )
    return [(o.rule, o.status, o.attempts) for o in d.outcomes]


def test_once_per_message(store: HistoryStore) -> None:
    send = Sender()
    assert go(store, send, [msg(), msg(as_of=2)]) == [("a", "sent", 1), ("a", "sent", 1)]
    assert go(store, send, [msg(), msg(as_of=2)]) == [("a", "already", 0), ("a", "already", 0)]
    assert len(send.sent) == 2


def test_retried_by_the_next_runs_then_given_up(store: HistoryStore) -> None:
    send = Sender(fail=100)
    assert go(store, send, [msg()]) == [("a", "failed", 3)]
    assert go(store, send, [msg()]) == [("a", "failed", 3)]  # the retry; not resent as new
    assert go(store, send, [msg()]) == [("a", "given_up", 3)]
    assert go(store, send, [msg()]) == [("a", "already", 0)]
    (rec,) = log.every(store)
    assert (rec.status, rec.attempts, rec.runs, rec.last_error) == ("given_up", 9, 3, "HTTP 503")
    assert len(send.sent) == 9


def test_a_retry_that_succeeds(store: HistoryStore) -> None:
    send = Sender(fail=4)
    assert go(store, send, [msg()]) == [("a", "failed", 3)]
    assert go(store, send, []) == [("a", "sent", 2)]
    (rec,) = log.every(store)
    assert (rec.status, rec.attempts, rec.runs) == ("sent", 5, 2)


def test_rules_not_chosen_wait_and_removed_rules_are_given_up(store: HistoryStore) -> None:
    send = Sender(fail=3)
    assert go(store, send, [msg("b")], "a", "b") == [("b", "failed", 3)]
    # --notify a: b's failure waits for a run that includes b
    d = deliver(store, rules("a"), [], send=send, now=lambda: 0, known_rules={"a", "b"})
    assert d.outcomes == ()
    # b removed from the config: given up, not sent
    assert go(store, send, [], "a") == [("b", "given_up", 0)]
    assert len(send.sent) == 3


def test_two_runs_at_once_never_both_send(store: HistoryStore) -> None:
    send = Sender()
    # another run holds the message (it is sending it now)
    assert log.claim(
        store,
        log.NotificationRecord(
            1,
            "a",
            "https://h.example.com",
            "webhook",
            "h",
            log.SENDING,
            0,
            1,
            1,
            "s",
            None,
            0,
            "{}",
        ),
    )
    assert go(store, send, [msg()]) == [("a", "already", 0)]
    assert go(store, send, [], at=STALE - 1) == []  # not retried while it may still be sending
    assert send.sent == []
    # that run was killed: once stale, the message is retried
    assert go(store, send, [], at=STALE + 1) == [("a", "sent", 1)]
