"""Place: write what collect accepted into the course, never through anything planted there.

Everything collect writes lies below the course folder (``submitted/``, ``archive/``,
``reports/``) and is reached folder by folder by descriptor, never through a symbolic link:
a link planted in the course (``submitted/alice`` pointing elsewhere) stops the write instead
of redirecting it. Each file is written under a temporary name and moved into place with
``os.replace``, so it is there whole or not at all. The descriptor flags and the names of
file kinds defined here are also the ones collect reads hand-ins with (``collect.py``,
``exchange.py``).
"""

from __future__ import annotations

import contextlib
import csv
import io
import os
import stat
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

DIR = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
FILE = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC
KINDS = {stat.S_IFLNK: "symbolic link", stat.S_IFIFO: "FIFO (named pipe)", stat.S_IFSOCK: "socket"}
KINDS |= {stat.S_IFCHR: "character device", stat.S_IFBLK: "block device"}
TIME_FORMAT = "%Y-%m-%d %H:%M:%S.%f %Z"  # nbgrader's timestamp.txt (Exchange.timestamp_format)


@dataclass
class Row:
    """One line of the report; ``outcome`` is placed, refused or ignored."""

    student: str
    lab: str
    file: str
    status: str
    outcome: str = "refused"


def shown(name: str) -> str:
    """``name`` safe to print: odd characters and undecodable bytes escaped."""
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode() for c in name)


class Unsafe(Exception):
    """The course folder holds something that collect must not write through."""


def _planted(fd: int, where: str) -> str | None:
    """The first link or special file below folder ``fd`` (nothing of ours makes one)."""
    for name in sorted(os.listdir(fd)):
        mode = os.stat(name, dir_fd=fd, follow_symlinks=False).st_mode
        if stat.S_ISDIR(mode):
            sub = os.open(name, DIR, dir_fd=fd)
            try:
                found = _planted(sub, f"{where}/{name}")
            finally:
                os.close(sub)
            if found:
                return found
        elif not stat.S_ISREG(mode):
            return f"{where}/{shown(name)} in the course is a {KINDS.get(stat.S_IFMT(mode))}"
    return None


def folder(base: int, names: list[str], opened: list[int]) -> int:
    """Open (making them as needed) the folders ``names`` below ``base``, never via a link;
    every descriptor opened is appended to ``opened`` for the caller to close."""
    for i, name in enumerate(names):
        with contextlib.suppress(FileExistsError):
            os.mkdir(name, 0o755, dir_fd=base)
        try:
            base = os.open(name, DIR, dir_fd=base)
        except OSError:
            mode = os.stat(name, dir_fd=base, follow_symlinks=False).st_mode
            kind = KINDS.get(stat.S_IFMT(mode), "file")
            raise Unsafe(f"{'/'.join(names[: i + 1])} in the course is a {kind}") from None
        opened.append(base)
    return base


def write(folder: int, name: str, data: bytes, mtime: float | None = None) -> None:
    """Write ``name`` in ``folder`` whole or not at all: a new temporary file, then a rename."""
    tmp = f".{name}.collecting"
    with contextlib.suppress(FileNotFoundError):
        os.unlink(tmp, dir_fd=folder)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
    with open(os.open(tmp, flags, 0o644, dir_fd=folder), "wb") as f:
        f.write(data)
        f.flush()
        if mtime is not None:
            os.utime(f.fileno(), (mtime, mtime))
    os.replace(tmp, name, src_dir_fd=folder, dst_dir_fd=folder)


def _content(folder: int, name: str) -> bytes | None:
    """What ``name`` in ``folder`` holds now (None when absent), read without following."""
    try:
        with open(os.open(name, FILE, dir_fd=folder), "rb") as f:
            return f.read()
    except FileNotFoundError:
        return None


def place(course: int, data: bytes, mtime: float, student: str, lab: str, extra=None) -> str:
    """Write ``data`` to ``submitted/<student>/<lab>/<lab>.ipynb`` below the course folder
    ``course`` (a descriptor), and ``timestamp.txt`` saying ``mtime``, unless ``extra`` (more
    small files for that folder, ``{name: bytes}``: the exchange's ``timestamp.txt`` and
    ``submission_secret.txt``) brings its own. A different notebook already there is kept in
    ``archive/<student>/<lab>/`` first. What happened, or ``Unsafe`` (nothing written)."""
    opened: list[int] = []
    try:
        home = folder(course, ["submitted", student], opened)
        if planted := _planted(home, f"submitted/{student}"):
            raise Unsafe(planted)
        here = folder(home, [lab], opened)
        old, files = _content(here, f"{lab}.ipynb"), dict(extra or {})
        if old != data:
            if old is not None:
                stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
                write(folder(course, ["archive", student, lab], opened), f"{stamp}.ipynb", old)
            write(here, f"{lab}.ipynb", data, mtime)
            when = datetime.fromtimestamp(mtime, timezone.utc).strftime(TIME_FORMAT)
            files.setdefault("timestamp.txt", when.encode())
        for name, new in files.items():  # only what changed: an unchanged file keeps its time
            if _content(here, name) != new:
                write(here, name, new)
    except Unsafe as err:
        raise Unsafe(f"{err} (planted?): nothing written; remove it and collect again") from None
    finally:
        for fd in opened:
            os.close(fd)
    if old == data:
        return "unchanged"
    kept = f"replaced (the earlier file is kept in archive/{student}/{lab}/)"
    return "placed" if old is None else kept


def write_report(course: Path, rows: list[Row]) -> str | None:
    """Write ``reports/collect.csv`` (one line per row); why it could not be, else None."""
    w = csv.writer(text := io.StringIO())
    w.writerow(["student", "lab", "file", "status"])
    for r in rows:
        status = r.status if r.outcome == "placed" else f"NOT PLACED: {r.status}"
        w.writerow([r.student, r.lab, r.file, status])
    opened = [os.open(course, os.O_RDONLY | os.O_DIRECTORY)]
    try:
        write(folder(opened[0], ["reports"], opened), "collect.csv", text.getvalue().encode())
    except Unsafe as err:
        return f"reports/collect.csv not written: {err} (planted?)"
    finally:
        for fd in opened:
            os.close(fd)
    return None
