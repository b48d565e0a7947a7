"""Database URLs and queries as values, without a password in sight (stdlib only: the CLI's
option bundle imports this at start-up).

A URL is shown as `scheme://host/db`; `${NAME}` is replaced by the environment variable NAME only
when the query runs; messages are scrubbed of the URL and its password.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from journeyctl.errors import InputError, UsageError

QUERY_NAME = "query"  # how bad rows of a query are named: `query:row N`
SCHEMES = ("postgresql", "postgres", "sqlite", "duckdb")
_VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
CONNECT_TIMEOUT = 10  # seconds; a firewalled host fails instead of hanging


@dataclass(frozen=True, slots=True)
class SqlQuery:
    """A query and the database it runs on (the URL as given, `${NAME}` not yet replaced)."""

    url: str
    query: str

    def __repr__(self) -> str:  # never the password, even in a traceback or a debugger
        return f"SqlQuery(url={shown_url(self.url)!r}, query={self.query!r})"


def expand_url(url: str, env: Mapping[str, str] | None = None) -> str:
    """`${NAME}` replaced by the environment variable NAME; unset is a usage error."""
    env = os.environ if env is None else env

    def sub(m: re.Match[str]) -> str:
        name = m.group(1)
        if name not in env:
            raise UsageError(
                f"--db-url uses ${{{name}}} but the environment variable {name} is not set",
                hint=f"export {name}=... (keep passwords out of command lines and config files)",
            )
        return env[name]

    return _VAR.sub(sub, url)


def shown_url(url: str) -> str:
    """The URL as messages show it: `scheme://host/db`, no user, password, port or options."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        return "(a database URL)"
    if scheme.lower() in ("sqlite", "duckdb"):
        return f"{scheme}://{rest.split('?')[0]}" if "@" not in rest else f"{scheme}://"
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
    except ValueError:
        return f"{scheme}://"
    return f"{scheme}://{host}{parts.path}"


def _secrets(url: str) -> list[str]:
    """What must never be shown: the URL itself and its password, raw and decoded."""
    out = [url]
    try:
        password = urlsplit(url).password
    except ValueError:
        password = None
    if password is None:  # a URL urlsplit cannot read: everything between `:` and the last `@`
        m = re.match(r"[^:]+://[^:/@]*:(.*)@", url)
        password = m.group(1) if m else None
    if password:
        out += [password, unquote(password)]
    return sorted({s for s in out if s}, key=len, reverse=True)


def scrub(message: str, url: str) -> str:
    for secret in _secrets(url):
        message = message.replace(secret, shown_url(url) if secret == url else "***")
    return message


def db_error(url: str, exc: BaseException, doing: str) -> InputError:
    text = scrub(str(exc).strip(), url)
    first, *rest = [ln.rstrip() for ln in text.splitlines() if ln.strip()] or [type(exc).__name__]
    return InputError(
        f"{shown_url(url)}: {doing}: {first}",
        details=rest[:8],
        hint="check --db-url and --sql (or [source] in journeyctl.toml)",
    )
