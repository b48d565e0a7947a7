"""`[[notify]]` rules of journeyctl.toml (PRODUCT §10): parsed, validated and with `${NAME}` read
from the environment, before anything is placed.

Every value that came from the environment, and every URL's userinfo, path and query, is a secret:
`Rule.secrets` lists them so that any text leaving the tool can be scrubbed, and `destination`
shows a URL only as `scheme://host`.
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from journeyctl.config import suggest_key
from journeyctl.definitions.model import SEVERITY_RANK
from journeyctl.errors import UsageError
from journeyctl.history.compare import CATEGORIES

CHANNELS = ("slack", "webhook", "email")
MILESTONE_OVERDUE = "milestone_overdue"
TRIGGER_NAMES = (*CATEGORIES, MILESTONE_OVERDUE)
LEVELS = tuple(k for k in SEVERITY_RANK if k != "none")
KEYS = ("name", "on", "channel", "url", "smtp", "from", "to", "route_by", "default_to", "journeys")
_VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
# A plain address: no display name, no list separators, nothing that could start a new header.
_ADDRESS = re.compile(r"^[^@\s<>,;\"]+@[^@\s<>,;\"]+$")


class NotifyConfigError(UsageError):
    """A `[[notify]]` rule that cannot be used (exit 2)."""


@dataclass(frozen=True, slots=True)
class Trigger:
    """One entry of `on`: a §5 category or `milestone_overdue`; `level` only for newly_at_risk."""

    category: str
    level: str | None = None

    @property
    def name(self) -> str:
        return f"{self.category}:{self.level}" if self.level else self.category


@dataclass(frozen=True, slots=True)
class SmtpServer:
    host: str
    port: int
    implicit_tls: bool  # smtps://
    username: str | None
    password: str | None = field(repr=False)  # never in a repr, a log or a traceback

    @property
    def destination(self) -> str:
        return f"{'smtps' if self.implicit_tls else 'smtp'}://{self.host}"


@dataclass(frozen=True, slots=True)
class Rule:
    name: str
    on: tuple[Trigger, ...]
    channel: str
    url: str | None = field(repr=False)  # slack and webhook; holds the token
    smtp: SmtpServer | None  # email
    sender: str | None  # email `from`
    to: tuple[str, ...]  # email
    route_by: str | None
    default_to: str | None
    journeys: tuple[str, ...]  # globs; empty: every journey
    secrets: tuple[str, ...] = field(repr=False)  # texts that must never leave the tool

    @property
    def destination(self) -> str:
        """Where the rule sends, without any secret: `scheme://host`."""
        if self.smtp is not None:
            return self.smtp.destination
        return redact_url(self.url or "")


def redact_url(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return f"{parts.scheme}://{parts.hostname or ''}"


def is_address(text: str) -> bool:
    return bool(_ADDRESS.match(text))


_HEADER = re.compile(r"^\s*\[\[\s*notify\s*\]\]")
_TABLE = re.compile(r"^\s*\[")
_KEY = re.compile(r"^\s*[\"']?([A-Za-z0-9_-]+)[\"']?\s*=")


def key_line(text: str, index: int, key: str | None) -> int | None:
    """The 1-based line of `key` in the `index`-th `[[notify]]` table (its header without a key).

    tomllib gives no positions: reading the lines is enough for a message's line number."""
    seen, header = -1, None
    for n, line in enumerate(text.splitlines(), 1):
        if _HEADER.match(line):
            seen += 1
            if seen == index:
                header = n
            elif seen > index:
                break
            continue
        if _TABLE.match(line):
            if seen >= index:
                break
            continue
        m = _KEY.match(line)
        if seen == index and key is not None and m and m.group(1) == key:
            return n
    return header


class _Ctx:
    """Where a problem is, for the message: the file, the line and the rule."""

    def __init__(self, path: str, text: str | None, index: int, name: str | None) -> None:
        self.path, self.text, self.index = path, text, index
        self.where = f"[[notify]] {name!r}" if name else f"[[notify]] #{index + 1}"

    def error(self, key: str, message: str, hint: str | None = None) -> NotifyConfigError:
        line = key_line(self.text, self.index, key) if self.text is not None else None
        at = f"{self.path}:{line}" if line else self.path
        return NotifyConfigError(f"{at}: {self.where}: `{key}` {message}", hint=hint)


class MissingVariable(NotifyConfigError):
    """A rule uses `${NAME}` and NAME is not set."""


def _substitute(value: str, key: str, ctx: _Ctx, env: Mapping[str, str], secrets: list[str]) -> str:
    def one(m: re.Match[str]) -> str:
        var = m.group(1)
        if var not in env:
            err = ctx.error(
                key,
                f"uses ${{{var}}}, which is not set",
                hint=f"export {var} in the environment that runs journeyctl (cron too)",
            )
            raise MissingVariable(err.message, hint=err.hint)
        secrets.append(env[var])
        return env[var]

    return _VAR.sub(one, value)


def _text(raw: Mapping[str, Any], key: str, ctx: _Ctx) -> str | None:
    value = raw.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise ctx.error(key, "must be a non-empty string")
    return value


def _texts(raw: Mapping[str, Any], key: str, ctx: _Ctx) -> tuple[str, ...]:
    value = raw.get(key)
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise ctx.error(key, "must be a string or a list of strings")
    return tuple(value)


def parse_trigger(text: str, ctx: _Ctx) -> Trigger:
    name, _, level = text.replace("-", "_").partition(":")
    valid = "valid: " + ", ".join(TRIGGER_NAMES) + ", newly_at_risk:LEVEL"
    if name not in TRIGGER_NAMES:
        raise ctx.error("on", f"has an unknown category {text!r}", hint=valid)
    if level:
        if name != "newly_at_risk":
            raise ctx.error("on", f"{text!r}: only newly_at_risk takes a level", hint=valid)
        if level not in LEVELS:
            raise ctx.error("on", f"{text!r}: unknown level", hint="levels: " + ", ".join(LEVELS))
    return Trigger(name, level or None)


def _http_url(url: str, ctx: _Ctx) -> str:
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        # Never echo the value: it usually holds a token.
        raise ctx.error("url", "must be an http:// or https:// URL", hint="check the variable")
    return url


def _smtp(template: str, ctx: _Ctx, env: Mapping[str, str], secrets: list[str]) -> SmtpServer:
    """smtp://USER:PASSWORD@HOST:PORT, split before `${NAME}` is substituted so that a password
    may hold any character; literal text is percent-decoded, substituted values are taken as is."""
    scheme, sep, rest = template.partition("://")
    netloc = rest.split("/", 1)[0]
    userinfo, at, hostport = netloc.rpartition("@")
    host, colon, port_text = hostport.rpartition(":") if ":" in hostport else (hostport, "", "")

    def part(text: str) -> str:
        out, pos = [], 0
        for m in _VAR.finditer(text):
            out.append(urllib.parse.unquote(text[pos : m.start()]))
            out.append(_substitute(m.group(0), "smtp", ctx, env, secrets))
            pos = m.end()
        out.append(urllib.parse.unquote(text[pos:]))
        return "".join(out)

    host = part(host)
    if scheme not in ("smtp", "smtps") or not sep or not host:
        raise ctx.error(
            "smtp",
            "must look like smtp://USER:PASSWORD@HOST:PORT (STARTTLS) or smtps://... (implicit TLS)",
        )
    port_text = part(port_text) if colon else ""
    if port_text and not port_text.isdigit():
        raise ctx.error("smtp", "has a bad port")
    user_text, has_pw, pw_text = userinfo.partition(":")
    user = part(user_text) if at and user_text else None
    password = part(pw_text) if at and has_pw else None
    if password:
        secrets += [password, pw_text]
    implicit = scheme == "smtps"
    port = int(port_text) if port_text else (465 if implicit else 25)
    return SmtpServer(host, port, implicit, user, password)


def _rule(raw: Any, index: int, path: str, text: str | None, env: Mapping[str, str]) -> Rule:
    ctx = _Ctx(path, text, index, None)
    if not isinstance(raw, dict):
        raise NotifyConfigError(f"{path}: [[notify]] #{index + 1} must be a table")
    name = raw.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ctx.error("name", "is required (a unique name for the rule)")
    ctx = _Ctx(path, text, index, name)
    for key in raw:
        if key not in KEYS:
            raise ctx.error(key, "is not a notify key", hint=suggest_key(key, KEYS))
    channel = raw.get("channel")
    if channel not in CHANNELS:
        raise ctx.error("channel", f"must be one of {', '.join(CHANNELS)}")
    on = _texts(raw, "on", ctx)
    if not on:
        raise ctx.error("on", "is required: the categories that trigger the rule")
    secrets: list[str] = []

    def sub(key: str) -> str | None:
        value = _text(raw, key, ctx)
        return None if value is None else _substitute(value, key, ctx, env, secrets)

    url, sender, route_by, default_to = (sub(k) for k in ("url", "from", "route_by", "default_to"))
    smtp_url = _text(raw, "smtp", ctx)
    to = tuple(_substitute(t, "to", ctx, env, secrets) for t in _texts(raw, "to", ctx))
    smtp = None
    if channel == "email":
        for key in ("url",):
            if raw.get(key) is not None:
                raise ctx.error(key, "is for slack and webhook rules; email uses `smtp`")
        if smtp_url is None or sender is None:
            raise ctx.error("smtp" if smtp_url is None else "from", "is required for email")
        smtp = _smtp(smtp_url, ctx, env, secrets)
        if not to and route_by is None:
            raise ctx.error("to", "is required for email (or `route_by` an address attribute)")
        for address in (sender, *to, *([default_to] if default_to else [])):
            if not is_address(address):
                raise ctx.error("to", f"has {address!r}, which is not an e-mail address")
    else:
        for key in ("smtp", "from", "to"):
            if raw.get(key) is not None:
                raise ctx.error(key, f"is for email rules, not {channel}")
        if url is None:
            raise ctx.error("url", f"is required for {channel}")
        _http_url(url, ctx)
        parts = urllib.parse.urlsplit(url)
        # the path and query of a webhook URL are its token
        secrets += [url, parts.path, parts.query, parts.password or ""]
    if default_to is not None and route_by is None:
        raise ctx.error("default_to", "needs `route_by`")
    return Rule(
        name=name,
        on=tuple(parse_trigger(t, ctx) for t in on),
        channel=str(channel),
        url=url,
        smtp=smtp,
        sender=sender,
        to=to,
        route_by=route_by,
        default_to=default_to,
        journeys=_texts(raw, "journeys", ctx),
        secrets=tuple(sorted({s for s in secrets if len(s) > 1}, key=len, reverse=True)),
    )


def parse_rules(
    raw: Any,
    path: str,
    env: Mapping[str, str],
    text: str | None = None,
    only: str | None = None,
) -> tuple[Rule, ...]:
    """The rules of `notify` in journeyctl.toml (`raw`: the parsed TOML value, None when absent;
    `text`: the file's text, for line numbers in messages). With `only` (`--notify NAME`), the
    other rules' `${NAME}` variables need not be set: those rules are left out, since only
    NAME runs (a dry run of the Slack rule asked for the SMTP password)."""
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise NotifyConfigError(
            f"{path}: `notify` must be an array of tables: [[notify]]",
            hint="see docs/notifications.md",
        )
    rules = []
    for i, r in enumerate(raw):
        try:
            rules.append(_rule(r, i, path, text, env))
        except MissingVariable:
            if only is None or rule_name(r) == only:
                raise
    seen: set[str] = set()
    for i, name in enumerate(rule_name(r) for r in raw):
        if name in seen:
            raise _Ctx(path, text, i, name).error("name", "is used by two rules; names are unique")
        seen.add(name)
    return tuple(rules)


def rule_name(raw: Any) -> str:
    """The `name` of one raw [[notify]] table ("" when it has none; `_rule` says so)."""
    name = raw.get("name") if isinstance(raw, dict) else None
    return name if isinstance(name, str) else ""


def select_rules(
    rules: Sequence[Rule], only: str | None, names: Sequence[str] | None = None
) -> tuple[Rule, ...]:
    """`--notify NAME`: that rule alone (an unknown name is a usage error listing `names`, every
    configured rule's, by default those of `rules`)."""
    if only is None:
        return tuple(rules)
    chosen = tuple(r for r in rules if r.name == only)
    if not chosen:
        listed = names if names is not None else [r.name for r in rules]
        shown = ", ".join(listed) or "none: add [[notify]] rules to journeyctl.toml"
        raise UsageError(f"unknown --notify rule {only!r}", hint=f"rules: {shown}")
    return chosen


def scrub(text: str, secrets: Sequence[str]) -> str:
    """`text` with every secret replaced (defence in depth for error messages from libraries)."""
    for s in secrets:
        if s and s != "/":
            text = text.replace(s, "***")
    return text
