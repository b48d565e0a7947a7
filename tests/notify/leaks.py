"""Look for a secret in everything the tool wrote: outputs, and every file under a directory."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path


def leaks(secret: str, outputs: Iterable[str], root: Path) -> list[str]:
    found = [f"output #{i}" for i, text in enumerate(outputs) if secret in text]
    needle = secret.encode()
    for p in sorted(root.rglob("*")):
        if p.is_file() and needle in p.read_bytes():
            found.append(str(p.relative_to(root)))
    return found
