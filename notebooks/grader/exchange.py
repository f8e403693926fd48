"""Collect from nbgrader's exchange: what students handed in with *Submit*, under collect's rules.

``nbgrader submit`` leaves a hand-in at
``<root>/<course>/inbound/<student>+<lab>+<time>+<random>/``: the student's lab folder, plus
``timestamp.txt`` (``<time>`` again) and ``submission_secret.txt`` (a random hex key;
``release_feedback`` files the feedback under a hash of it). The inbound folder is writable
by every student (mode 0733), so a hand-in is whatever a student chose to leave there, named
for whomever they like. ``nbgrader collect`` copies the latest per student with the
instructor's rights (``shutil.copytree``, which follows symbolic links: a link to the
instructor's source notebook is collected as that student's work, solutions included). It
notices a folder owned by someone other than the student it is named for, but only logs a
warning and collects it all the same.

Here each hand-in is checked before anything in it is used:

1. Its name is ``<student>+<lab>+<time>[+<random>]``: a student id, a lab of the course, and
   a time nbgrader can read (``nbgrader.utils.parse_utc``) that is not in the future.
2. It is opened and walked by descriptor with collect's walker: a symbolic link or a special
   file anywhere in it (the folder itself included), a name that is not a plain name, more
   files or bytes than ``Limits`` allow, refuse the whole hand-in, with the reason.
3. Its folder must belong to the system user named ``<student>``, when the system has one
   (else the owner is named in the report), and every file read must belong to the folder's
   owner (a hard link to another's file keeps that file's owner).
4. The notebook is ``<lab>.ipynb`` at its top (a malformed one is placed and marked
   MALFORMED, as collect does); ``timestamp.txt`` must be a small plain file holding the
   time in the name, ``submission_secret.txt`` one holding a hex key (what submit writes).
5. Per student and lab, the latest hand-in that passes wins (nbgrader's rule: the time in the
   name; then the name that sorts last). A refused hand-in is never anyone's submission and
   hides nothing: one planted in another's name cannot displace their own.
6. The winner goes to ``submitted/<student>/<lab>/`` with ``place.place`` (notebook,
   ``timestamp.txt``, ``submission_secret.txt``; never through a link planted in the course;
   a different earlier notebook archived). The exchange is only read. Every hand-in and
   every file in the winners is in ``reports/collect.csv``.

A student owns their hand-in and can change it after submitting (with nbgrader too). The
change time of its files (ctime) is the one time they cannot set: a hand-in changed more than
``EDITED_AFTER`` seconds after the time in its name is collected with a NOTE saying so.
"""

from __future__ import annotations

import os
import pwd
import re
import stat
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

from . import notebooks
from .collect import MB, Entry, Limits, _bad_name, _kind, _read, _walk
from .place import DIR, Row, Unsafe, place, shown, write_report

DEFAULT_ROOT = "/srv/nbgrader/exchange"  # as in classroom/jupyter/*/nbgrader_config.py
STAMP, SECRET = "timestamp.txt", "submission_secret.txt"
SMALL = 300  # bytes: nbgrader writes about 30 (a time) and 128 (secrets.token_hex(64))
HEX = re.compile(r"[0-9a-f]{16,256}")
EDITED_AFTER = 600  # seconds; a submit takes a second or two
SKEW = timedelta(minutes=5)  # clocks of the students' servers and of this machine


class NoExchange(Exception):
    """The exchange cannot be read as a whole; nothing is collected."""


def system_uid(name: str) -> int | None:
    """The uid of the system user ``name``, None when there is no such user."""
    try:
        return pwd.getpwnam(name).pw_uid
    except KeyError:
        return None


def _user(uid: int) -> str:
    try:
        return f"{pwd.getpwuid(uid).pw_name} (uid {uid})"
    except KeyError:
        return f"uid {uid}"


def where(course: Path) -> tuple[Path, str, str]:
    """(exchange root, course id, where the root came from), found as ``nbgrader collect``
    run in ``course`` finds them: its configuration files in the Jupyter folders
    (``JUPYTER_CONFIG_PATH``, the user's, the system's), then the course's own."""
    from nbgrader.apps.baseapp import NbGrader
    from nbgrader.exchange import ExchangeFactory
    from nbgrader.exchange.default.collect import ExchangeCollect

    app = NbGrader()
    app.load_cwd_config = False  # the course's configuration, not the current folder's
    app.initialize(["--log-level=ERROR"], root=str(course))  # not "no nbgrader_config.py"
    kind = ExchangeFactory(parent=app).collect
    if not issubclass(kind, ExchangeCollect):
        raise NoExchange(
            f"the course's exchange is {kind.__module__}.{kind.__name__}, not nbgrader's shared "
            "folder: collect with that exchange's own tool"
        )
    if not app.coursedir.course_id:
        raise NoExchange("no course id in nbgrader's configuration (CourseDirectory.course_id)")
    root = kind(coursedir=app.coursedir, parent=app).root  # as nbgrader collect reads it
    if root != kind.class_traits()["root"].default_value:
        origin = "c.Exchange.root in nbgrader's configuration"
    elif "DIFFPROG_EXCHANGE" in os.environ:
        root, origin = os.environ["DIFFPROG_EXCHANGE"], "DIFFPROG_EXCHANGE"
    else:
        root, origin = DEFAULT_ROOT, "the course's default; set c.Exchange.root"
    return Path(root), app.coursedir.course_id, origin


@dataclass
class HandIn:
    """One folder of the inbound folder, what its name claims and what was found in it."""

    name: str
    student: str = ""
    lab: str = ""
    when: datetime | None = None  # the time in its name, in UTC
    problems: list[str] = field(default_factory=list)
    files: dict[str, bytes] = field(default_factory=dict)  # the notebook, time and secret
    others: list[str] = field(default_factory=list)  # files in it that are not collected
    notes: list[str] = field(default_factory=list)
    mtime: float = 0.0


def _claim(h: HandIn, labs: list[str]) -> None:
    """Read what the name ``<student>+<lab>+<time>[+<random>]`` claims."""
    from nbgrader.utils import parse_utc

    parts = h.name.split("+")
    if _bad_name(h.name) or len(parts) not in (3, 4):
        h.problems.append("not a hand-in's name (<student>+<lab>+<time>+<random>)")
        return
    h.student, h.lab = parts[0], parts[1]
    if not notebooks.STUDENT_ID.fullmatch(h.student):
        h.problems.append(f"{shown(h.student)!r} is not a student id")
    if h.lab not in labs:
        h.problems.append(f"no lab {shown(h.lab)!r} in this course")
    try:
        h.when = parse_utc(parts[2])
    except (ValueError, OverflowError, TypeError):
        h.problems.append(f"{shown(parts[2])!r} in its name is not a time")
        return
    if h.when > datetime.now(timezone.utc).replace(tzinfo=None) + SKEW:
        h.problems.append(f"the time in its name, {h.when:%Y-%m-%d %H:%M} UTC, is in the future")


def _examine(inbound: int, h: HandIn, limits: Limits, uid_of) -> None:
    """Walk the hand-in by descriptor and read its three files, or say why not."""
    try:
        st = os.stat(h.name, dir_fd=inbound, follow_symlinks=False)
    except OSError as err:  # gone since it was listed, ...
        h.problems.append(f"cannot be read ({err.strerror}): refused")
        return
    if not stat.S_ISDIR(st.st_mode):
        link = stat.S_ISLNK(st.st_mode) and os.readlink(h.name, dir_fd=inbound)
        h.problems.append(_kind(st.st_mode, link) or "a file, not a hand-in's folder: refused")
        return
    try:
        fd = os.open(h.name, DIR, dir_fd=inbound)
    except OSError as err:
        h.problems.append(f"cannot be opened ({err.strerror}): refused")
        return
    try:
        st = os.fstat(fd)  # the folder opened, not whatever the name points to by now
        expected = uid_of(h.student) if h.student else None
        if expected is None:
            h.notes.append(f"owner not checked: no system user {h.student}; {_user(st.st_uid)}")
        elif st.st_uid != expected:
            h.problems.append(
                f"its folder belongs to {_user(st.st_uid)}, not to {h.student}: a hand-in in "
                "another's name, refused"
            )
        entries: list[Entry] = []
        _walk(fd, (), entries, limits)
        if len(entries) > limits.files:
            h.problems.append(f"more than {limits.files} files: refused")
            return
        for e in entries:
            if why := e.problem or _bad_name(e.name):
                h.problems.append(f"{shown(e.name)}: {why}")
        if (total := sum(e.size for e in entries if not e.folder)) > limits.total_mb * MB:
            h.problems.append(f"{total / MB:.1f} MB, over the limit of {limits.total_mb:g} MB")
        if h.problems:
            return
        _read_files(fd, h, {e.name: e for e in entries}, limits, st.st_uid)
        changed = datetime.fromtimestamp(
            max([st.st_ctime, *(e.ctime for e in entries)]), timezone.utc
        )
        if (late := (changed.replace(tzinfo=None) - h.when).total_seconds()) > EDITED_AFTER:
            h.notes.append(
                f"NOTE: changed {late / 60:.0f} min after the time in its name (edited after "
                "it was submitted?)"
            )
    finally:
        os.close(fd)


def _read_files(fd: int, h: HandIn, found: dict, limits: Limits, owner: int) -> None:
    from nbgrader.utils import parse_utc

    notebook = f"{h.lab}.ipynb"
    for name, limit in ((notebook, limits.file_mb * MB), (STAMP, SMALL), (SECRET, SMALL)):
        e = found.pop(name, None)
        if e is None or e.folder:
            h.problems.append(f"no {name} in it (nbgrader submit writes one): refused")
        elif e.size > limit:
            h.problems.append(f"{name}: {e.size / MB:.1f} MB, over the limit of {limit / MB:g} MB")
        elif isinstance(data := _read(fd, e, owner), str):
            h.problems.append(f"{name}: {data}")
        else:
            h.files[name] = data
            h.mtime = e.mtime if name == notebook else h.mtime
    h.others = [n for n, e in found.items() if not e.folder]
    if h.problems:
        return
    text = h.files[STAMP].decode("ascii", "replace").strip()
    try:
        same = text.isprintable() and parse_utc(text) == h.when
    except (ValueError, OverflowError, TypeError):
        same = False
    if not same:
        h.problems.append(f"{STAMP} says {shown(text[:40])!r}, not the time in its name: refused")
    secret = h.files[SECRET].decode("ascii", "replace").strip()
    if not HEX.fullmatch(secret):
        h.problems.append(f"{SECRET} is not a hex key (what nbgrader submit writes): refused")
    h.files[STAMP], h.files[SECRET] = text.encode(), secret.encode()


def collect(root: Path, course_id: str, course: Path, labs: list[str], limits=None,
            uid_of=system_uid) -> list[Row]:  # fmt: skip
    """Collect ``labs`` from the exchange at ``root`` into ``course``: the report's rows, or
    ``NoExchange``. ``uid_of(student)``: the uid a student's hand-in must belong to (None:
    not checked), by default the system user of that name."""
    limits, rows = limits or Limits.from_env(), []
    inbound = _inbound(root, course_id)
    try:
        groups: dict[tuple[str, str], list[HandIn]] = {}
        for name in sorted(os.listdir(inbound)):
            h = HandIn(name)
            _claim(h, every_lab := notebooks.labs())
            if h.lab in every_lab and h.lab not in labs:
                continue  # another lab's
            _examine(inbound, h, limits, uid_of)
            if h.problems and not (h.student and h.lab in labs):
                rows.append(Row(shown(h.student), "", shown(name), "; ".join(h.problems)))
            else:
                groups.setdefault((h.student, h.lab), []).append(h)
    finally:
        os.close(inbound)
    course_fd = os.open(course, os.O_RDONLY | os.O_DIRECTORY)
    try:
        for (student, lab), group in sorted(groups.items()):
            rows += _choose(course_fd, student, lab, group)
    finally:
        os.close(course_fd)
    return rows


def _inbound(root: Path, course_id: str) -> int:
    """The inbound folder, opened by descriptor below ``root``; it and the course's folder
    must be the collector's or root's (a student may not have made them)."""
    try:
        fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY)
    except OSError as err:
        raise NoExchange(f"the exchange {root} cannot be opened ({err.strerror})") from None
    for part in (course_id, "inbound"):
        try:
            sub = os.open(part, DIR, dir_fd=fd)
        except OSError as err:
            raise NoExchange(f"{root}/{part} cannot be opened ({err.strerror})") from None
        finally:
            os.close(fd)
        fd = sub
        if (uid := os.fstat(fd).st_uid) not in (os.geteuid(), 0):
            os.close(fd)
            raise NoExchange(
                f"{root}/{part} belongs to {_user(uid)}, not to you or root; a student may "
                "have made it: check it, and collect as its owner"
            )
        root = root / part
    return fd


def _choose(course: int, student: str, lab: str, group: list[HandIn]) -> list[Row]:
    """Place the latest hand-in that passes; rows for every hand-in and every other file."""
    group.sort(key=lambda h: (h.when or datetime.min, h.name), reverse=True)
    chosen = next((h for h in group if not h.problems), None)
    rows = []
    for h in group:
        if h.problems:
            rows.append(Row(student, lab, shown(h.name), "; ".join(h.problems)))
        elif h is not chosen:
            why = f"an earlier hand-in; {shown(chosen.name)} is later, so that one is collected"
            rows.append(Row(student, lab, shown(h.name), why, "ignored"))
    if chosen is None:
        return rows
    for other in chosen.others:
        why = "not collected (only the notebook, its time and its key are); left in the exchange"
        rows.append(Row(student, lab, shown(f"{chosen.name}/{other}"), why, "ignored"))
    notebook = f"{lab}.ipynb"
    file = shown(f"{chosen.name}/{notebook}")
    data, extra = chosen.files.pop(notebook), chosen.files
    try:
        status = place(course, data, chosen.mtime, student, lab, extra)
    except Unsafe as err:
        return [*rows, Row(student, lab, file, str(err))]
    status += f" (handed in {chosen.when:%Y-%m-%d %H:%M:%S} UTC)"
    refused = [h for h in group if h.problems and (h.when or datetime.min) > chosen.when]
    if refused:
        status += f"; a later hand-in was refused: {', '.join(shown(h.name) for h in refused)}"
    nb, problem = notebooks.parse_submission(data)
    if problem:
        status += f"; MALFORMED: {problem}"
    return [*rows, Row(student, lab, file, "; ".join([status, *chosen.notes]), "placed")]


def main(course: Path, labs: list[str], limits=None, root: Path | None = None,
         course_id: str = "diffprog", uid_of=system_uid) -> int:  # fmt: skip
    """``course.py collect --exchange [LAB ...]``: collect ``labs`` (default all) from the
    exchange nbgrader's configuration names (or ``root``), print what happened, write
    ``reports/collect.csv``; exit status 0 (all placed), 1 (a hand-in or file refused), 2
    (the exchange could not be read)."""
    what, say = ", ".join(labs) or "every lab", notebooks.say
    labs = labs or notebooks.labs()
    try:
        origin = "given"
        if root is None:
            root, course_id, origin = where(course)
        say(f"collecting {what} from {root}/{course_id}/inbound ({origin})")
        rows = collect(root, course_id, course, labs, limits, uid_of)
    except NoExchange as err:
        say(f"error: {err}")
        return 2
    placed = [r for r in rows if r.outcome == "placed"]
    refused = [r for r in rows if r.outcome == "refused"]
    for r in placed:
        say(f"  {r.student:<16} {r.lab:<28} {r.status}")
    hand_ins = len({r.file.split("/")[0] for r in rows})  # a hand-in's name holds no /
    say(f"collected {len(placed)} notebook(s) from {hand_ins} hand-in(s); {len(refused)} refused")
    for r in refused:
        say(f"  REFUSED {r.file}: {r.status}")
    if ignored := len(rows) - len(placed) - len(refused):
        say(f"  and {ignored} earlier hand-in(s) or other file(s) not collected (see the report)")
    if problem := write_report(course, rows):
        say(f"error: {problem}")
        return 2
    return 1 if refused else 0
