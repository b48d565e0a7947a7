"""How much memory the process really has, and reading inputs without exceeding it.

The in-memory mode needs about 300 MiB plus 5.5 bytes per byte of CSV (benchmarks/run.py). The
limit it must stay under is the least of what the kernel will give: `--memory-limit` when given,
else 3/4 of MemAvailable, the address-space rlimit (`ulimit -v`) and the cgroup's memory limit
(v2 `memory.max`, v1 `memory.limit_in_bytes`: containers, systemd units, CI runners).

Inputs whose size is not known in advance (stdin, a FIFO, a device, a gzip stream: a 5 MB gzip
bomb expands to gigabytes) are read block by block and decompressed incrementally, and reading
stops with `MemoryLimitError` (exit 2, naming --memory-limit) as soon as they pass the budget,
instead of after the kernel has killed the process.
"""

from __future__ import annotations

import os
import resource
import stat
import sys
import zlib
from collections.abc import Callable, Iterator, Sequence
from typing import IO, TYPE_CHECKING

from journeyctl.errors import InputError

if TYPE_CHECKING:
    from journeyctl.events.sources import EventSource, Format

BASE_MEMORY = 300 << 20  # code and libraries of the in-memory mode
BYTES_PER_CSV_BYTE = 5.5  # its peak per byte of CSV (10M events, 641 MB: 3.6 GiB)
AVAILABLE_SHARE = 0.75  # of MemAvailable, when nothing tighter applies
READ_BLOCK = 1 << 20
MIN_BUDGET = 1 << 20  # bytes of CSV the budget never goes below (tiny limits still read a header)
# Longest CSV record the streaming reader holds while looking for its end (a line of 64 MiB is
# not an events row; an endless one, /dev/zero or a bomb, must not take all memory).
MAX_RECORD = 64 << 20


class MemoryLimitError(InputError):
    """An input needs more memory than the limit allows (exit 2)."""


def too_big(path: str, limit: int, what: str = "") -> MemoryLimitError:
    return MemoryLimitError(
        f"{path}: {what or 'the input is larger than the memory limit allows'} "
        f"(limit {human(limit)}); reading stopped",
        hint="give a larger --memory-limit (e.g. --memory-limit 8G), or a regular uncompressed "
        "file, which `place` can read in its streaming mode",
    )


def out_of_memory() -> MemoryLimitError:
    """What running out of memory anyway (an allocation failed) means to the user: the limit
    that applied, as set (what is left of it at this point says nothing useful)."""
    limits = limits_in_force()
    return MemoryLimitError(
        "not enough memory for this input" + (f" ({limits})" if limits else ""),
        hint="run where more memory is allowed (raise ulimit -v or the container's limit); "
        "journeyctl needs about 1 GiB of address space of its own, and `place` streams an "
        "input larger than --memory-limit when that limit is well within the process's",
    )


def limits_in_force() -> str:
    """The process's own limits as set: `ulimit -v` and the cgroup's memory limit ("" if none)."""
    out = []
    try:
        soft, _ = resource.getrlimit(resource.RLIMIT_AS)
        if soft != resource.RLIM_INFINITY and soft > 0:
            out.append(f"ulimit -v allows {human(soft)}")
    except (OSError, ValueError):
        pass
    cgroup = _cgroup_max()
    if cgroup is not None:
        out.append(f"the cgroup allows {human(cgroup)}")
    return ", ".join(out)


def human(n: int) -> str:
    for unit, shift in (("G", 30), ("M", 20), ("K", 10)):
        if n >= 1 << shift:
            return f"{n / (1 << shift):.1f}{unit}".replace(".0", "")
    return f"{n} bytes"


def _meminfo_available() -> int | None:
    try:
        with open("/proc/meminfo") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


def _rlimit() -> int | None:
    """The address-space limit (`ulimit -v`), less what the process already maps."""
    try:
        soft, _ = resource.getrlimit(resource.RLIMIT_AS)
    except (OSError, ValueError):
        return None
    if soft == resource.RLIM_INFINITY or soft <= 0:
        return None
    # Half the room: the limit counts address space, which the allocators (glibc's arenas,
    # Arrow's pools, thread stacks) reserve well beyond the memory the 5.5x model measures.
    return max(soft - _mapped(), 0) // 2


def _mapped() -> int:
    """The process's virtual size now (VmSize): the address-space limit counts it too."""
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0


def _cgroup_dirs() -> Iterator[tuple[str, str]]:
    """(version, directory) of this process's memory cgroup, innermost first, then its parents."""
    try:
        with open("/proc/self/cgroup") as fh:
            lines = fh.read().splitlines()
    except OSError:
        return
    for line in lines:
        parts = line.split(":", 2)
        if len(parts) != 3:
            continue
        hierarchy, controllers, path = parts
        if hierarchy == "0" and controllers == "":
            root, version = "/sys/fs/cgroup", "2"
        elif "memory" in controllers.split(","):
            root, version = "/sys/fs/cgroup/memory", "1"
        else:
            continue
        rel = path.strip("/")
        while True:
            yield version, os.path.join(root, rel) if rel else root
            if not rel:
                break
            rel = os.path.dirname(rel)


def _cgroup_limits() -> Iterator[tuple[str, str, int]]:
    """(version, directory, limit) of every memory limit set on this process's cgroup and its
    parents ("max", or v1's "unlimited" sentinel, is no limit)."""
    for version, directory in _cgroup_dirs():
        name = "memory.max" if version == "2" else "memory.limit_in_bytes"
        try:
            with open(os.path.join(directory, name)) as fh:
                text = fh.read().strip()
        except OSError:
            continue
        if text.isdigit() and int(text) < 1 << 60:
            yield version, directory, int(text)


def _cgroup_max() -> int | None:
    """The tightest memory limit set on this process's cgroup or its parents, as set."""
    return min((limit for _, _, limit in _cgroup_limits()), default=None)


def _cgroup_limit() -> int | None:
    """The tightest memory limit of this process's cgroup and its parents, less what it uses."""
    best: int | None = None
    for version, directory, limit in _cgroup_limits():
        used_name = "memory.current" if version == "2" else "memory.usage_in_bytes"
        room = limit
        try:
            with open(os.path.join(directory, used_name)) as fh:
                room -= int(fh.read().strip())
        except (OSError, ValueError):
            pass
        room = max(room, 0) + _rss()  # what this process holds now counts as usable by it
        best = room if best is None else min(best, room)
    return best


def _rss() -> int:
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0


def process_memory_limit() -> int | None:
    """What this process may use in all: the least of 3/4 of MemAvailable, `ulimit -v` and the
    cgroup limit; None where none is known."""
    found = [
        v
        for v in (
            (lambda a: None if a is None else int(a * AVAILABLE_SHARE))(_meminfo_available()),
            _rlimit(),
            _cgroup_limit(),
        )
        if v is not None
    ]
    return min(found) if found else None


def effective_limit(memory_limit: int | None) -> int | None:
    """`--memory-limit` when given (capped by what the process really has), else the process's."""
    real = process_memory_limit()
    if memory_limit is None:
        return real
    return memory_limit if real is None else min(memory_limit, real)


def input_budget(memory_limit: int | None) -> int | None:
    """How many bytes of CSV the in-memory mode may hold under the limit (None: no limit known)."""
    limit = effective_limit(memory_limit)
    if limit is None:
        return None
    return max(int((limit - BASE_MEMORY) / BYTES_PER_CSV_BYTE), MIN_BUDGET)


def known_size(path: str) -> int | None:
    """The bytes of CSV a file holds, when that is known before reading it: a regular file that is
    not gzip-compressed. None for stdin, a FIFO or a device, and for gzip (its trailer's size is
    modulo 4 GiB and written by whoever made the file)."""
    if path == "-":
        return None
    try:
        st = os.stat(path)
        if not stat.S_ISREG(st.st_mode):
            return None
        with open(path, "rb") as fh:
            if fh.read(2) == b"\x1f\x8b":
                return None
    except OSError:
        return 0  # reading it will say what is wrong
    return st.st_size


def _gzip_estimate(path: str, compressed: int) -> int:
    """A planning estimate of a gzip file's CSV bytes: its trailer's size (mod 4 GiB, and
    written by whoever made the file, so reading is still capped), at least the file's size."""
    try:
        with open(path, "rb") as fh:
            fh.seek(max(compressed - 4, 0))
            isize = int.from_bytes(fh.read(4), "little")
    except OSError:
        return compressed
    return max(isize, compressed)


def planned_size(path: str) -> int | None:
    """`known_size`, or for a regular gzip file an estimate (`_gzip_estimate`); None for stdin,
    a FIFO or a device."""
    size = known_size(path)
    if size is not None or path == "-":
        return size
    try:
        st = os.stat(path)
    except OSError:
        return 0
    return _gzip_estimate(path, st.st_size) if stat.S_ISREG(st.st_mode) else None


# the size of the same events as CSV, per byte of another format (the sample and the benchmark
# logs: Parquet is ~6x smaller than its CSV, Arrow ~1x, JSON Lines ~2.5x larger)
CSV_BYTES_PER_BYTE = {"parquet": 6.0, "arrow": 1.0, "jsonl": 0.4}


def _planned_csv_size(source: EventSource, input_format: Format | None) -> int | None:
    """`planned_size` in bytes of CSV for any source of §8; None when unknown (stdin, a FIFO, a
    query, a table in memory)."""
    from journeyctl.events.sources import format_of  # the sources import this module

    if not isinstance(source, str):
        return None
    fmt = format_of(source, input_format)
    if fmt == "csv":
        return planned_size(source)
    try:
        if os.path.isdir(source):  # a dataset
            size = sum(
                os.path.getsize(os.path.join(root, f))
                for root, _, files in os.walk(source)
                for f in files
            )
        else:
            size = os.stat(source).st_size
    except OSError:
        return 0  # reading it will say what is wrong
    return int(size * CSV_BYTES_PER_BYTE.get(fmt, 1.0))


def plan_partitions(
    sources: Sequence[EventSource], memory_limit: int | None, input_format: Format | None = None
) -> int | None:
    """How many partitions the streaming mode needs to stay under the limit; None: in memory.

    The limit is `effective_limit`: without --memory-limit, streaming starts when the in-memory
    mode would need more than the process can have. An input of unknown size (stdin, a FIFO, a
    query) is streamed when --memory-limit is given, else read in memory up to the budget."""
    sizes = [_planned_csv_size(p, input_format) for p in sources]
    limit = effective_limit(memory_limit)
    if limit is None:
        return None
    if any(s is None for s in sizes):
        return 64 if memory_limit is not None else None  # many small partitions
    need = BASE_MEMORY + int(sum(s or 0 for s in sizes) * BYTES_PER_CSV_BYTE)
    if need <= limit:
        return None
    # per partition, with room to spare: the partitioning leaves ~0.5 GiB held by the allocators
    budget = max(limit - BASE_MEMORY, 8 << 20) // 3
    return max(2, min(4096, -(-(need - BASE_MEMORY) // budget)))


def read_input(path: str, cap: int | None) -> bytes:
    """The whole content of an events or accounts input, gunzipped, never more than `cap` bytes
    (`MemoryLimitError` beyond; `OSError` and gzip errors are the caller's to name)."""
    if path == "-":
        return _read_stream(sys.stdin.buffer, path, cap)
    with open(path, "rb") as fh:
        return _read_stream(fh, path, cap)


def _read_stream(fh: IO[bytes], path: str, cap: int | None) -> bytes:
    read = fh.read
    head = bytearray()
    while len(head) < 2:  # a FIFO may deliver one byte at a time
        block = read(2 - len(head))
        if not block:
            break
        head += block
    if bytes(head[:2]) == b"\x1f\x8b":
        return _gunzip(read, bytes(head), path, cap)
    out = bytearray(head)
    while True:
        block = read(READ_BLOCK)
        if not block:
            return bytes(out)
        out += block
        if b"\x00" in block:
            return bytes(out)  # not text: the reader names the line; /dev/zero never ends
        if cap is not None and len(out) > cap:
            raise too_big(path, _limit_of(cap))


def _gunzip(read: Callable[[int], bytes], first: bytes, path: str, cap: int | None) -> bytes:
    """Decompress incrementally, member after member, with the output bounded at every step."""
    out = bytearray()
    d = zlib.decompressobj(wbits=31)  # a gzip member
    data = first  # compressed bytes not yet given to `d`
    eof = False
    while True:
        if not data and not eof:
            data = read(READ_BLOCK)
            eof = not data
        room = READ_BLOCK if cap is None else max(min(READ_BLOCK, cap + 1 - len(out)), 1)
        piece = d.decompress(data, room)
        data = d.unconsumed_tail
        out += piece
        if b"\x00" in piece:
            return bytes(out)  # not text: the reader names the line
        if cap is not None and len(out) > cap:
            raise too_big(
                path, _limit_of(cap), "it decompresses to more than the memory limit allows"
            )
        if d.eof:
            # another member may follow (zero padding after the last one is allowed, as gzip does)
            rest = d.unused_data  # what follows the member (the tail holds the same bytes)
            while not rest.strip(b"\x00") and not eof:
                more = read(READ_BLOCK)
                eof = not more
                rest += more
            if not rest.strip(b"\x00"):
                return bytes(out)
            d, data = zlib.decompressobj(wbits=31), rest.lstrip(b"\x00")
        elif eof and not data and not piece:
            raise EOFError("Compressed file ended before the end-of-stream marker was reached")


def _limit_of(cap: int) -> int:
    """The memory limit a CSV budget comes from (for the message)."""
    return int(cap * BYTES_PER_CSV_BYTE) + BASE_MEMORY
