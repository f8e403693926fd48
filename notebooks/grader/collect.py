"""Collect: put students' hand-ins into nbgrader's layout, and account for every file.

A hand-in is a folder or a ``.zip``. Each notebook in it goes to
``submitted/<student>/<lab>/<lab>.ipynb``, with its modification time in ``timestamp.txt``,
where ``nbgrader autograde`` looks. The student is the first folder of its path
(``alice/whatever.ipynb``, ``alice/<lab>/<lab>.ipynb``), or, for a file at the top, its name
less the lab (``alice_<lab>.ipynb``). The lab is in the name, else it is recognised by the
notebook's graded cells. nbgrader's own ``submitted/<student>/<lab>/<lab>.ipynb`` is read
too, at the top or one folder down when the hand-in has a single top folder (a zipped course).
What students submitted to nbgrader's exchange on a JupyterHub is collected, under the same
rules, by ``exchange.py``.

Students made the hand-in, so nothing in it is trusted. The rules:

1. Every file is accounted for: placed, or listed by name with the reason (printed and in
   ``reports/collect.csv``). A ``submitted/`` folder is one more place to look, never the
   only one. Exit status 0: all notebooks placed; 1: some were not; 2: the hand-in as a whole
   was refused (too many files, too large, not a zip) and nothing was placed.
2. Two notebooks for one student and lab: the newest modification time wins, a tie goes to
   the path that sorts last; both are listed. A different earlier submission already in
   ``submitted/`` is kept in ``archive/<student>/<lab>/`` before it is replaced.
3. Nothing is followed or extracted blindly. Symbolic links and special files (FIFOs,
   sockets, devices; zip members whose Unix mode says so) are refused and never opened;
   folders are walked by descriptor and files opened with ``O_NOFOLLOW | O_NONBLOCK``. Paths
   with ``..``, ``/`` or a drive at the start, backslashes, control characters or names that
   are not UTF-8 are refused, and student ids must match ``STUDENT_ID``.
4. Sizes are limited (``Limits``: per notebook, per hand-in, number of files), first on the
   sizes a zip declares, then while reading: a read stops one byte past the declared size, so
   a header that lies is caught (by that byte or by the zip's checksum), never believed.
5. The destination is written safely (``place.py``): if ``submitted/<student>`` or anything
   below it is a symbolic link or a special file (planted there), that student is refused;
   files are written under a temporary name and moved into place with ``os.replace``.
6. A malformed notebook is placed all the same and marked MALFORMED: autograde scores it 0
   and says why.
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
import tempfile
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

from . import notebooks
from .place import DIR, FILE, KINDS, Row, Unsafe, place, shown, write_report

MB = 2**20
MAX_DEPTH = 8
HIDDEN = "hidden or system file; ignored"
NOT_NOTEBOOK = "not a notebook (.ipynb); ignored"
COURSE_FOLDERS = {"source", "release", "autograded", "feedback", "archive", "nbgrader_exchange"}


@dataclass(frozen=True)
class Limits:
    """How much one hand-in may hold. ``Limits.from_env(file_mb=40)``: the values given,
    else ``DIFFPROG_COLLECT_MAX_FILE_MB``, ``_TOTAL_MB``, ``_FILES``, else these defaults."""

    file_mb: float = 20
    total_mb: float = 200
    files: int = 10_000

    @classmethod
    def from_env(cls, **given) -> Limits:
        for key in ("file_mb", "total_mb", "files"):
            name, kind = f"DIFFPROG_COLLECT_MAX_{key.upper()}", type(getattr(cls, key))
            if given.get(key) is None and name in os.environ:
                try:
                    given[key] = kind(os.environ[name])
                except ValueError:
                    raise ValueError(f"{name}={os.environ[name]!r} is not a number") from None
        return cls(**{k: v for k, v in given.items() if v is not None})


@dataclass
class Entry:
    """One file of a hand-in: its path there, declared size and time, why it is refused."""

    name: str
    size: int = 0
    mtime: float = 0.0
    problem: str | None = None
    key: object = None  # the ZipInfo, or the path's parts in a folder
    folder: bool = False
    ctime: float = 0.0  # when it last changed (a folder's files only): no one can set it


def _bad_name(name: str) -> str | None:
    if any("\udc80" <= c <= "\udcff" for c in name):  # os and zip decoding mark bad bytes so
        return "its name is not valid UTF-8: refused"
    if not name.isprintable():
        return "its name holds control or invisible characters: refused"
    if "\\" in name:
        return "its name holds a backslash (a Windows path, or a way out of the folder): refused"
    if name.startswith("/") or re.match(r"[A-Za-z]:", name):
        return "an absolute path: refused"
    if any(p in ("", ".", "..") for p in name.split("/")) or len(name) > 1000:
        return "its path holds '..', '.', an empty part, or is too long (path traversal?): refused"
    return None


def _kind(mode: int, target: str = "") -> str | None:
    kind = KINDS.get(stat.S_IFMT(mode))
    if kind and target:
        kind += f" (to {shown(target)})"
    return kind and f"a {kind}: refused, only plain files are read (hand in the file itself)"


def _walk(fd: int, parts: tuple, out: list[Entry], limits: Limits) -> None:
    """List a folder by descriptor, never through a link, stopping past ``limits.files``."""
    for name in sorted(os.listdir(fd)):
        if len(out) > limits.files:
            return
        rel = (*parts, name)
        out.append(e := Entry("/".join(rel), key=rel))
        try:
            st = os.stat(name, dir_fd=fd, follow_symlinks=False)
            e.size, e.mtime, e.ctime = st.st_size, st.st_mtime, st.st_ctime
            e.problem = _kind(st.st_mode, stat.S_ISLNK(st.st_mode) and os.readlink(name, dir_fd=fd))
            if stat.S_ISDIR(st.st_mode) and not (_bad_name(name) or _hidden(rel)):
                e.folder = True
                if len(rel) >= MAX_DEPTH:
                    e.problem = f"folders nested more than {MAX_DEPTH} deep: refused"
                    continue
                sub = os.open(name, DIR, dir_fd=fd)
                try:
                    _walk(sub, rel, out, limits)
                finally:
                    os.close(sub)
        except OSError as err:
            e.problem = f"cannot be read ({err.strerror}): refused"


def _zip_entries(z: zipfile.ZipFile) -> list[Entry]:
    out = []
    for info in z.infolist():
        name, mode = info.filename, info.external_attr >> 16
        if not info.flag_bits & 0x800 and not name.isascii():  # not marked UTF-8: try it
            name = name.encode("cp437").decode("utf-8", "surrogateescape")
        try:
            mtime = time.mktime((*info.date_time, 0, 0, -1))  # zip times are local times
        except (OverflowError, ValueError):
            mtime = 0.0
        problem = _kind(mode) or ("encrypted: refused" if info.flag_bits & 1 else None)
        folder = stat.S_ISDIR(mode) or info.is_dir() and not problem
        out.append(Entry(name.rstrip("/"), info.file_size, mtime, problem, info, folder))
    return out


def _read(source, e: Entry, owner: int | None = None) -> bytes | str:
    """The bytes of ``e`` (never more than it declares), or why they cannot be read;
    ``owner``: the uid a folder's file must belong to (a hard link keeps its own)."""
    try:
        if isinstance(source, zipfile.ZipFile):
            f = source.open(e.key)
        else:  # every folder on the way, and the file, opened without following a link
            fd, folders = source, []
            try:
                for part in e.key[:-1]:
                    folders.append(fd := os.open(part, DIR, dir_fd=fd))
                f = open(os.open(e.key[-1], FILE, dir_fd=fd), "rb")
            finally:
                for d in folders:
                    os.close(d)
            st = os.fstat(f.fileno())
            why = None if stat.S_ISREG(st.st_mode) else "no longer a plain file"
            if not why and owner not in (None, st.st_uid):
                why = f"owned by uid {st.st_uid}, not by the hand-in's owner"
            if why:
                f.close()
                return f"{why}: refused"
        with f:
            data = f.read(e.size + 1)
    except zipfile.BadZipFile as err:
        return f"its content does not match its zip header ({err}): a damaged or forged archive"
    except Exception as err:  # noqa: BLE001 - an untrusted file may break any decoder
        return f"cannot be read ({err}): refused"
    return data if len(data) <= e.size else f"holds more than its {e.size} bytes: refused"


def _hidden(parts) -> bool:
    return any(p.startswith(".") or p == "__MACOSX" for p in parts)


def _student(parts: list[str], lab: str) -> str:
    if len(parts) > 1:
        return parts[0]
    stem = parts[0].removesuffix(".ipynb").replace(lab, "")
    return re.sub(r"(?i)(submission|assignment|notebook)", "", stem).strip("_- .")


def _owner(parts: list[str]) -> str:
    """Whose file this is, as far as its path tells (for the report)."""
    if len(parts) == 1 and not parts[0].endswith(".ipynb"):
        return ""
    return shown(_student(parts, notebooks.which_lab(None, parts[-1]) or ""))


def _sort_out(entries: list[Entry], limits: Limits):
    """Rows for what will not be read; ``(entry, path below submitted/)`` for the rest."""
    rows, todo, split = [], [], [e.name.split("/") for e in entries]
    depth = 0 if any(len(p) > 2 and p[0] == "submitted" for p in split) else None
    if depth is None and len({p[0] for p in split if not _hidden(p)}) == 1:
        depth = 1 if any(len(p) > 3 and p[1] == "submitted" for p in split) else None
    for e, parts in zip(entries, split):
        where, ignore = parts, None
        if depth is not None and len(parts) > depth + 1 and parts[depth] in COURSE_FOLDERS:
            ignore = f"in the course's {parts[depth]}/ folder, not a hand-in; ignored"
        elif depth is not None and len(parts) > depth + 2 and parts[depth] == "submitted":
            where = parts[depth + 1 :]
        why, outcome = e.problem or _bad_name(e.name), "refused"
        if not why and (e.folder or _hidden(parts) or ignore or not e.name.endswith(".ipynb")):
            if e.folder and not _hidden(parts):
                continue  # a plain folder: the files in it are listed
            why, outcome = HIDDEN if _hidden(parts) else ignore or NOT_NOTEBOOK, "ignored"
        elif not why and e.size > limits.file_mb * MB:
            why = (
                f"{e.size / MB:.1f} MB uncompressed, over the limit of {limits.file_mb:g} MB per "
                "notebook (raise it with --max-file-mb or DIFFPROG_COLLECT_MAX_FILE_MB)"
            )
        if why:  # a refused folder or link at the top stands for its student
            owner = _owner(where) or (shown(where[0]) if outcome == "refused" else "")
            rows.append(Row(owner, "", shown(e.name), why, outcome))
        else:
            todo.append((e, where))
    return rows, todo


def collect(src: Path, course: Path | None = None, lab: str | None = None, limits=None):
    """Collect the hand-in ``src`` into ``course`` (default: this course's folder), e.g.
    ``collect(Path("lab1.zip"))``: ``(rows, None)``, or ``([], why)`` when the hand-in as a
    whole is refused (then nothing is placed). ``limits``: a ``Limits``, else from the env."""
    limits, src = limits or Limits.from_env(), Path(src).expanduser().resolve()
    course = Path(course or notebooks.COURSE)
    with contextlib.ExitStack() as stack:
        if src.is_dir():
            source, entries = os.open(src, os.O_RDONLY | os.O_DIRECTORY), []
            stack.callback(os.close, source)
            _walk(source, (), entries, limits)
        elif src.is_file() and zipfile.is_zipfile(src):
            try:
                source = stack.enter_context(zipfile.ZipFile(src))
            except (zipfile.BadZipFile, OSError) as err:
                return [], f"{src} is not a readable zip file ({err})"
            entries = _zip_entries(source)
        else:
            return [], f"{src} is neither a folder nor a zip file"
        if len(entries) > limits.files:
            return [], (
                f"{src.name} holds more than {limits.files} files and folders, the limit "
                "(raise it with --max-files or DIFFPROG_COLLECT_MAX_FILES)"
            )
        rows, todo = _sort_out(entries, limits)
        if (total := sum(e.size for e, _ in todo)) > limits.total_mb * MB:
            return [], (
                f"the notebooks in {src.name} hold {total / MB:.1f} MB, over the limit of "
                f"{limits.total_mb:g} MB per hand-in (raise it with --max-total-mb or "
                "DIFFPROG_COLLECT_MAX_TOTAL_MB)"
            )
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="diffprog-collect-")))
        groups: dict[tuple[str, str], list] = {}
        for i, (e, parts) in enumerate(todo):
            if isinstance(data := _read(source, e), str):
                rows.append(Row(_owner(parts), "", shown(e.name), data))
                continue
            (path := tmp / f"{i}.ipynb").write_bytes(data)
            nb, problem = notebooks.parse_submission(data)
            found = lab or notebooks.which_lab(nb, "/".join(parts[1:]) or parts[0])
            student = _student(parts, found or "")
            if found is None:
                why = problem or "cannot tell which lab it is (name it <student>_<lab>.ipynb)"
                rows.append(Row(_owner(parts), "", shown(e.name), why))
            elif not notebooks.STUDENT_ID.fullmatch(student):
                why = f"cannot tell the student id (got {shown(student)!r}): refused"
                rows.append(Row("", found, shown(e.name), why))
            else:
                groups.setdefault((student, found), []).append((e, parts, path, problem))
        course_fd = os.open(course, os.O_RDONLY | os.O_DIRECTORY)
        stack.callback(os.close, course_fd)
        for (student, found), group in groups.items():
            rows += _choose(course_fd, student, found, group)
    return sorted(rows, key=lambda r: r.file), None


def _choose(course: int, student: str, lab: str, group: list) -> list[Row]:
    """Place the newest of one student's notebooks for ``lab``; rows for all of them."""
    group.sort(key=lambda g: (g[0].mtime, g[0].name))  # stable: a zip's own order last
    (e, parts, path, problem), dropped = group[-1], [g[0] for g in group[:-1]]
    rows = []
    for d in dropped:
        newer = "is newer" if e.mtime > d.mtime else "has the same time and sorts last"
        why = f"a second hand-in for {lab}; {shown(e.name)} {newer}, so that one is collected"
        rows.append(Row(student, lab, shown(d.name), why))
    try:
        status = place(course, path.read_bytes(), e.mtime, student, lab)
    except Unsafe as err:
        return [*rows, Row(student, lab, shown(e.name), str(err))]
    if Path(parts[-1]).stem != lab:
        status += f" (renamed from {shown(parts[-1])})"
    if dropped:
        names = ", ".join(shown(d.name) for d in dropped)
        status += f"; chosen over {names} (the newest wins, then the path that sorts last)"
    if problem:
        status += f"; MALFORMED: {problem}"
    return [*rows, Row(student, lab, shown(e.name), status, "placed")]


def main(src, course: Path | None = None, lab: str | None = None, limits=None) -> int:
    """``course.py collect``: collect, print what happened, write ``reports/collect.csv``;
    the exit status (0 all placed, 1 some notebooks not, 2 the hand-in refused as a whole)."""
    course = Path(course or notebooks.COURSE)
    rows, refused = collect(Path(src), course, lab, limits)
    if refused:
        notebooks.say(f"error: {refused}")
        rows = [Row("", "", shown(Path(src).name), refused)]
    for r in rows:
        if r.outcome == "placed":
            notebooks.say(f"  {r.student:<16} {r.lab:<28} {r.status}")
    hidden = [r for r in rows if r.status == HIDDEN]
    listed = [r for r in rows if r.outcome != "placed" and r.status != HIDDEN]
    placed = len(rows) - len(hidden) - len(listed)
    notebooks.say(f"collected {placed} notebook(s); {len(listed)} file(s) could not be placed")
    for r in listed:
        notebooks.say(f"  NOT PLACED {r.file}: {r.status}")
    if hidden:
        notebooks.say(f"  and {len(hidden)} hidden or system file(s), ignored (see the report)")
    if problem := write_report(course, rows):
        notebooks.say(f"error: {problem}")
        return 2
    return 2 if refused else 1 if any(r.outcome == "refused" for r in rows) else 0
