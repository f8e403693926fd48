"""``collect`` against hand-ins made by an attacker: one test per attack, each on a scratch
copy of the course, checking what was placed, what was reported (by name, and why), and that
nothing outside the course's ``submitted/``, ``archive/`` and ``reports/`` was written.

Fast: no nbgrader and no grading; a few tests run the real ``course.py collect`` command.
The last ones collect from nbgrader's exchange (``collect --exchange``) as a teacher would on
a JupyterHub, with hand-ins made as ``nbgrader submit`` makes them, and attacks on it.
"""

from __future__ import annotations

import csv
import hashlib
import os
import pwd
import secrets
import socket
import stat
import struct
import subprocess
import sys
import tracemalloc
import zipfile
import zlib
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

pytest.importorskip("nbformat")

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "notebooks"))
from course import copy_course  # noqa: E402
from grader import collect, exchange  # noqa: E402
from grader.place import TIME_FORMAT  # noqa: E402

LAB = "lab1-finite-differences"
NB = (ROOT / "notebooks" / "release" / LAB / f"{LAB}.ipynb").read_bytes()
MB = 2**20
OURS = ("submitted", "archive", "reports")  # what collect may write in the course


def other(marker: str) -> bytes:
    """A valid notebook that differs from NB (a marker in its metadata)."""
    return NB.replace(b'"metadata": {', f'"metadata": {{"marker": "{marker}", '.encode(), 1)


@pytest.fixture
def course(tmp_path):
    return copy_course(tmp_path / "course")


def write(root: Path, files: dict) -> Path:
    for name, data in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)
    return root


def make_zip(path: Path, members: list) -> Path:
    """``members``: (name or ZipInfo, bytes); deflated."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members:
            z.writestr(name, data)
    return path


def member(name: str, mode: int, data: bytes = b"") -> tuple:
    info = zipfile.ZipInfo(name)
    info.create_system = 3
    info.external_attr = mode << 16
    return info, data


def run(src: Path, course: Path, capsys, **limits) -> tuple[int, str]:
    code = collect.main(src, course, None, collect.Limits(**limits))
    return code, capsys.readouterr().out


def cli(src: Path, course: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(course / "tools" / "course.py"), "collect", str(src), *args],
        cwd=course,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def placed(course: Path) -> dict[str, bytes]:
    """student -> the notebook placed for LAB (a planted link is not a placed file)."""
    return {
        p.parent.parent.name: p.read_bytes()
        for p in (course / "submitted").glob(f"*/{LAB}/{LAB}.ipynb")
        if not any(q.is_symlink() for q in (p, p.parent, p.parent.parent, p.parents[2]))
    }


def report(course: Path) -> dict[str, tuple[str, str]]:
    """file -> (student, status), from reports/collect.csv."""
    with open(course / "reports" / "collect.csv", newline="", encoding="utf-8") as f:
        return {r["file"]: (r["student"], r["status"]) for r in csv.DictReader(f)}


def snapshot(root: Path) -> dict:
    """Every path under ``root`` but collect's own folders, with its type, content hash and
    time; links are not followed and FIFOs not opened."""
    out = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        if rel.parts[:2] in {("course", o) for o in OURS}:
            continue
        st = path.lstat()
        digest = hashlib.sha256(path.read_bytes()).hexdigest() if stat.S_ISREG(st.st_mode) else ""
        when = 0 if stat.S_ISDIR(st.st_mode) else st.st_mtime_ns  # a folder's changes as it fills
        out[str(rel)] = (stat.S_IFMT(st.st_mode), digest, when)
    return out


def zip_lie(data: bytearray, name: str, size: int, crc: int | None = None) -> bytearray:
    """Make member ``name`` declare ``size`` bytes (and ``crc``) in both of its headers."""
    end = data.rfind(b"PK\x05\x06")
    count, _, at = struct.unpack("<HII", data[end + 10 : end + 20])
    for _ in range(count):
        n, m, k = struct.unpack("<HHH", data[at + 28 : at + 34])
        local = struct.unpack("<I", data[at + 42 : at + 46])[0]
        if data[at + 46 : at + 46 + n].decode() == name:
            data[at + 24 : at + 28] = data[local + 22 : local + 26] = struct.pack("<I", size)
            if crc is not None:
                data[at + 16 : at + 20] = data[local + 14 : local + 18] = struct.pack("<I", crc)
        at += 46 + n + m + k
    return data


# ----------------------------------------------------------------------------------------
# What works today keeps working
# ----------------------------------------------------------------------------------------


def test_the_shapes_of_hand_ins_are_collected_and_a_replaced_one_archived(tmp_path, course, capsys):
    hand_in = write(
        tmp_path / "hand-in",
        {
            f"alice/{LAB}.ipynb": NB,
            "bob/My Lab (final).ipynb": other("bob"),  # renamed: known by its cells
            f"carol_{LAB}.ipynb": NB,
            f"dan/{LAB}/{LAB}.ipynb": NB,
            f"eve/{LAB}.ipynb": b'{"cells": [',  # malformed: placed, marked
            "notes.txt": b"not a notebook",
            ".DS_Store": b"\0",
        },
    )
    os.utime(hand_in / f"alice/{LAB}.ipynb", (1.7e9, 1.7e9))
    code, out = run(hand_in, course, capsys)
    assert code == 0, out
    assert sorted(placed(course)) == ["alice", "bob", "carol", "dan", "eve"]
    assert placed(course)["bob"] == other("bob")
    rows = report(course)
    assert rows["bob/My Lab (final).ipynb"] == ("bob", "placed (renamed from My Lab (final).ipynb)")
    assert rows[f"eve/{LAB}.ipynb"][1].startswith("placed; MALFORMED: not valid JSON")
    assert rows["notes.txt"] == ("", "NOT PLACED: not a notebook (.ipynb); ignored")
    assert rows[".DS_Store"] == ("", "NOT PLACED: hidden or system file; ignored")
    stamp = (course / "submitted" / "alice" / LAB / "timestamp.txt").read_text()
    assert stamp == "2023-11-14 22:13:20.000000 UTC"

    code, out = run(hand_in, course, capsys)  # again: nothing changes
    assert code == 0 and out.count("unchanged") == 5, out

    write(hand_in, {f"alice/{LAB}.ipynb": other("alice, second try")})
    code, out = run(hand_in, course, capsys)
    assert placed(course)["alice"] == other("alice, second try")
    assert f"replaced (the earlier file is kept in archive/alice/{LAB}/)" in out
    [kept] = (course / "archive" / "alice" / LAB).iterdir()
    assert kept.read_bytes() == NB


# ----------------------------------------------------------------------------------------
# Sizes
# ----------------------------------------------------------------------------------------


def test_a_zip_bomb_is_refused_by_name_and_the_limit_can_be_raised(tmp_path, course, capsys):
    bomb = make_zip(
        tmp_path / "hand-in.zip",
        [(f"alice/{LAB}.ipynb", NB), (f"bob_{LAB}.ipynb", b"\0" * 30 * MB)],
    )
    assert bomb.stat().st_size < 100_000  # 30 MB from under 100 KB
    code, out = run(bomb, course, capsys)
    assert code == 1
    assert sorted(placed(course)) == ["alice"]
    assert report(course)[f"bob_{LAB}.ipynb"] == (
        "bob",
        "NOT PLACED: 30.0 MB uncompressed, over the limit of 20 MB per notebook "
        "(raise it with --max-file-mb or DIFFPROG_COLLECT_MAX_FILE_MB)",
    )
    done = cli(bomb, course, "--max-file-mb", "40")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "bob              lab1-finite-differences      placed" in done.stdout
    assert "MALFORMED" in report(course)[f"bob_{LAB}.ipynb"][1]


def test_a_hand_in_over_the_total_limit_is_refused_whole(tmp_path, course, capsys):
    zeros = b"\0" * 19 * MB  # each under the 20 MB per notebook; 209 MB in all
    bomb = make_zip(tmp_path / "hand-in.zip", [(f"s{i}_{LAB}.ipynb", zeros) for i in range(11)])
    assert bomb.stat().st_size < 500_000
    code, out = run(bomb, course, capsys)
    assert code == 2
    assert (
        "the notebooks in hand-in.zip hold 209.0 MB, over the limit of 200 MB per hand-in " in out
    )
    assert "(raise it with --max-total-mb or DIFFPROG_COLLECT_MAX_TOTAL_MB)" in out
    assert not (course / "submitted").exists()
    assert list(report(course)) == ["hand-in.zip"]


def test_a_zip_header_that_lies_about_sizes_is_caught_while_reading(tmp_path, course, capsys):
    big = b"\0" * 50 * MB
    data = bytearray(
        make_zip(
            tmp_path / "honest.zip",
            [(f"alice/{LAB}.ipynb", NB), (f"bob/{LAB}.ipynb", big), (f"carol/{LAB}.ipynb", big)],
        ).read_bytes()
    )
    zip_lie(data, f"bob/{LAB}.ipynb", 1000)  # says 1000 bytes, inflates to 50 MB
    zip_lie(data, f"carol/{LAB}.ipynb", 1000, zlib.crc32(big[:1000]))  # checksum lies too
    liar = tmp_path / "liar.zip"
    liar.write_bytes(data)
    tracemalloc.start()
    code, out = run(liar, course, capsys)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert code == 1, out
    assert peak < 20 * MB, f"reading a lying zip took {peak / MB:.0f} MB"
    bob = report(course)[f"bob/{LAB}.ipynb"]
    assert bob[1].startswith("NOT PLACED: its content does not match its zip header (Bad CRC-32")
    assert bob[1].endswith("a damaged or forged archive")
    # a read stops at the declared size: carol's file is cut there, so it is malformed
    assert placed(course)["carol"] == b"\0" * 1000
    assert "MALFORMED" in report(course)[f"carol/{LAB}.ipynb"][1]
    assert placed(course)["alice"] == NB


def test_too_many_files_refuse_the_hand_in_whole(tmp_path, course):
    many = make_zip(tmp_path / "many.zip", [(f"s{i}_{LAB}.ipynb", NB) for i in range(101)])
    done = cli(many, course, DIFFPROG_COLLECT_MAX_FILES="100")
    assert done.returncode == 2, done.stdout + done.stderr
    assert done.stdout.startswith(
        "error: many.zip holds more than 100 files and folders, the limit "
        "(raise it with --max-files or DIFFPROG_COLLECT_MAX_FILES)"
    )
    assert not (course / "submitted").exists()
    folder = write(tmp_path / "many", {f"s{i}_{LAB}.ipynb": NB for i in range(101)})
    done = cli(folder, course, "--max-files", "100")
    assert done.returncode == 2 and "holds more than 100 files" in done.stdout
    assert cli(folder, course, "--max-files", "101").returncode == 0


# ----------------------------------------------------------------------------------------
# Links and special files
# ----------------------------------------------------------------------------------------


def test_zip_members_that_are_links_or_special_files_are_refused(tmp_path, course, capsys):
    hand_in = make_zip(
        tmp_path / "hand-in.zip",
        [
            (f"alice/{LAB}.ipynb", NB),
            member(f"bob/{LAB}.ipynb", stat.S_IFLNK | 0o777, b"../alice/" + LAB.encode()),
            member(f"carol_{LAB}.ipynb", stat.S_IFIFO | 0o644),
            member(f"dan_{LAB}.ipynb", stat.S_IFCHR | 0o644),
            member("erin", stat.S_IFLNK | 0o777, b"/etc"),
        ],
    )
    code, out = run(hand_in, course, capsys)
    assert code == 1
    assert sorted(placed(course)) == ["alice"]
    why = "refused, only plain files are read (hand in the file itself)"
    assert report(course) == {
        f"alice/{LAB}.ipynb": ("alice", "placed"),
        f"bob/{LAB}.ipynb": ("bob", f"NOT PLACED: a symbolic link: {why}"),
        f"carol_{LAB}.ipynb": ("carol", f"NOT PLACED: a FIFO (named pipe): {why}"),
        f"dan_{LAB}.ipynb": ("dan", f"NOT PLACED: a character device: {why}"),
        "erin": ("erin", f"NOT PLACED: a symbolic link: {why}"),
    }


def test_links_in_a_folder_are_never_followed(tmp_path, course, capsys):
    secret = write(tmp_path, {"secret.ipynb": other("SECRET")}) / "secret.ipynb"
    hand_in = write(tmp_path / "hand-in", {f"alice/{LAB}.ipynb": NB})
    (hand_in / "bob").mkdir()
    (hand_in / "bob" / f"{LAB}.ipynb").symlink_to(f"../alice/{LAB}.ipynb")  # another's work
    (hand_in / "carol").symlink_to("alice")  # a linked folder
    (hand_in / f"dan_{LAB}.ipynb").symlink_to(secret)  # a file outside the hand-in
    before = snapshot(tmp_path)
    code, out = run(hand_in, course, capsys)
    assert code == 1
    assert sorted(placed(course)) == ["alice"]
    why = "refused, only plain files are read (hand in the file itself)"
    assert report(course) == {
        f"alice/{LAB}.ipynb": ("alice", "placed"),
        f"bob/{LAB}.ipynb": (
            "bob",
            f"NOT PLACED: a symbolic link (to ../alice/{LAB}.ipynb): {why}",
        ),
        "carol": ("carol", f"NOT PLACED: a symbolic link (to alice): {why}"),
        f"dan_{LAB}.ipynb": ("dan", f"NOT PLACED: a symbolic link (to {secret}): {why}"),
    }
    assert snapshot(tmp_path) == before
    for path in (course / "submitted").rglob("*"):
        assert path.is_dir() or b"SECRET" not in path.read_bytes()


@pytest.mark.skipif(os.name != "posix", reason="FIFOs and Unix sockets are POSIX features")
def test_fifos_sockets_and_devices_are_refused_without_blocking(tmp_path, course, monkeypatch):
    hand_in = write(tmp_path / "hand-in", {f"alice/{LAB}.ipynb": NB})
    (hand_in / "bob").mkdir()
    os.mkfifo(hand_in / "bob" / f"{LAB}.ipynb")  # opening it to read would block forever
    monkeypatch.chdir(hand_in)  # a socket's path must be short: bind a relative one
    with socket.socket(socket.AF_UNIX) as s:
        s.bind(f"carol_{LAB}.ipynb")
    (hand_in / "erin").mkdir()
    (hand_in / "erin" / f"{LAB}.ipynb").symlink_to(hand_in / "bob" / f"{LAB}.ipynb")
    expected = {"bob": "a FIFO (named pipe)", "carol": "a socket"}
    if os.geteuid() == 0:  # only root may make a device file
        os.mknod(hand_in / f"dan_{LAB}.ipynb", stat.S_IFCHR | 0o644, os.makedev(1, 3))
        expected["dan"] = "a character device"
    done = cli(hand_in, course)  # a blocked open would end in the 120 s timeout
    assert done.returncode == 1, done.stdout + done.stderr
    assert sorted(placed(course)) == ["alice"]
    rows = report(course)
    why = "refused, only plain files are read (hand in the file itself)"
    for student, kind in expected.items():
        name = f"{student}/{LAB}.ipynb" if student == "bob" else f"{student}_{LAB}.ipynb"
        assert rows[name] == (student, f"NOT PLACED: {kind}: {why}")
        assert f"NOT PLACED {name}: {kind}: {why}" in done.stdout
    assert rows[f"erin/{LAB}.ipynb"][1].startswith("NOT PLACED: a symbolic link (to ")


# ----------------------------------------------------------------------------------------
# Layout, names, duplicates
# ----------------------------------------------------------------------------------------


def test_a_submitted_folder_does_not_hide_the_other_students(tmp_path, course, capsys):
    hand_in = make_zip(
        tmp_path / "hand-in.zip",
        [
            (f"submitted/alice/{LAB}/{LAB}.ipynb", other("alice")),
            (f"bob/{LAB}.ipynb", other("bob")),
            (f"carol_{LAB}.ipynb", other("carol")),
            # one student cannot hand in for another through a submitted/ of their own
            (f"mallory/submitted/alice/{LAB}/{LAB}.ipynb", other("mallory")),
            (f"source/{LAB}/{LAB}.ipynb", NB),  # a course's own folder next to submitted/
        ],
    )
    code, out = run(hand_in, course, capsys)
    assert code == 0, out
    got = placed(course)
    assert sorted(got) == ["alice", "bob", "carol", "mallory"]
    assert all(got[s] == other(s) for s in got)
    assert report(course)[f"source/{LAB}/{LAB}.ipynb"] == (
        "source",
        "NOT PLACED: in the course's source/ folder, not a hand-in; ignored",
    )
    # nbgrader's layout one folder down, in a zip of a whole course folder
    nested = make_zip(
        tmp_path / "export.zip",
        [(f"export/submitted/{s}/{LAB}/{LAB}.ipynb", other(s)) for s in ("dan", "erin")],
    )
    assert run(nested, course, capsys)[0] == 0
    assert {"dan", "erin"} <= set(placed(course))


RULE = "(the newest wins, then the path that sorts last)"


def test_duplicates_follow_the_stated_rule_and_both_are_reported(tmp_path, course, capsys):
    hand_in = write(
        tmp_path / "hand-in",
        {
            f"alice/{LAB}.ipynb": other("alice old"),
            f"alice_{LAB}.ipynb": other("alice new"),
            f"bob/{LAB}.ipynb": other("bob a"),
            f"bob/{LAB}/{LAB}.ipynb": other("bob b"),
        },
    )
    os.utime(hand_in / f"alice/{LAB}.ipynb", (1.7e9, 1.7e9))
    os.utime(hand_in / f"alice_{LAB}.ipynb", (1.7e9 + 60, 1.7e9 + 60))  # newer: it wins
    for name in (f"bob/{LAB}.ipynb", f"bob/{LAB}/{LAB}.ipynb"):  # a tie: the later path wins
        os.utime(hand_in / name, (1.7e9, 1.7e9))
    code, out = run(hand_in, course, capsys)
    assert code == 1
    assert placed(course) == {"alice": other("alice new"), "bob": other("bob b")}
    rows = report(course)
    assert rows[f"alice/{LAB}.ipynb"] == (
        "alice",
        f"NOT PLACED: a second hand-in for {LAB}; alice_{LAB}.ipynb is newer, "
        "so that one is collected",
    )
    assert rows[f"alice_{LAB}.ipynb"][1] == (
        f"placed (renamed from alice_{LAB}.ipynb); chosen over alice/{LAB}.ipynb {RULE}"
    )
    assert rows[f"bob/{LAB}.ipynb"] == (
        "bob",
        f"NOT PLACED: a second hand-in for {LAB}; bob/{LAB}/{LAB}.ipynb has the same time "
        "and sorts last, so that one is collected",
    )
    assert rows[f"bob/{LAB}/{LAB}.ipynb"][1] == f"placed; chosen over bob/{LAB}.ipynb {RULE}"


def test_paths_that_leave_the_hand_in_or_have_odd_names_are_refused(tmp_path, course, capsys):
    evil = other("EVIL")
    members = [
        (f"alice/{LAB}.ipynb", NB),
        (f"../evil1_{LAB}.ipynb", evil),
        (f"/tmp/evil2_{LAB}.ipynb", evil),
        (f"C:/evil3_{LAB}.ipynb", evil),
        (f"a\\..\\..\\evil4_{LAB}.ipynb", evil),
        (f"x/./evil5_{LAB}.ipynb", evil),
        (f"evil6\x1b[2J_{LAB}.ipynb", evil),  # a terminal escape sequence
        (f"evilX_{LAB}.ipynb", evil),  # renamed below to bytes that are not UTF-8
    ]
    data = make_zip(tmp_path / "hand-in.zip", members).read_bytes()
    bad = tmp_path / "bad.zip"
    bad.write_bytes(data.replace(b"evilX_", b"evil\xe9_"))
    before = snapshot(tmp_path)
    code, out = run(bad, course, capsys)
    assert code == 1
    assert sorted(placed(course)) == ["alice"]
    rows = report(course)
    reasons = {
        f"../evil1_{LAB}.ipynb": "'..', '.', an empty part",
        f"/tmp/evil2_{LAB}.ipynb": "an absolute path",
        f"C:/evil3_{LAB}.ipynb": "an absolute path",
        f"a\\..\\..\\evil4_{LAB}.ipynb": "a backslash",
        f"x/./evil5_{LAB}.ipynb": "'..', '.', an empty part",
        f"evil6\\x1b[2J_{LAB}.ipynb": "control or invisible characters",
        f"evil\\udce9_{LAB}.ipynb": "not valid UTF-8",
    }
    for name, reason in reasons.items():
        assert reason in rows[name][1] and rows[name][1].endswith("refused"), (name, rows)
        assert f"NOT PLACED {name}: " in out
    assert len(rows) == len(reasons) + 1
    assert "\x1b" not in out
    assert snapshot(tmp_path) == before
    assert not Path(f"/tmp/evil2_{LAB}.ipynb").exists()
    for path in (course / "submitted").rglob("*"):
        assert path.is_dir() or b"EVIL" not in path.read_bytes()


def test_student_ids_that_are_not_ids_are_refused(tmp_path, course, capsys):
    names = ["bad id", "-dash", "x" * 70, "\u00fcn\u00ef", "a;rm -rf"]
    hand_in = write(tmp_path / "hand-in", {f"{n}/{LAB}.ipynb": NB for n in names})
    write(hand_in, {f"_{LAB}.ipynb": NB, f"ok.id@uni_{LAB}.ipynb": NB})
    os.mkdir(os.fsencode(hand_in) + b"/st\xe9ve")  # a name that is not UTF-8
    (Path(os.fsdecode(os.fsencode(hand_in) + b"/st\xe9ve")) / f"{LAB}.ipynb").write_bytes(NB)
    code, out = run(hand_in, course, capsys)
    assert code == 1
    assert sorted(placed(course)) == ["ok.id@uni"]
    rows = report(course)
    for n in [*names, ""]:
        name = f"{n}/{LAB}.ipynb" if n else f"_{LAB}.ipynb"
        assert rows[name] == ("", f"NOT PLACED: cannot tell the student id (got {n!r}): refused")
    assert rows["st\\udce9ve"] == (  # the folder: it is not opened
        "st\\udce9ve",
        "NOT PLACED: its name is not valid UTF-8: refused",
    )


def test_a_link_planted_in_the_course_is_not_written_through(tmp_path, course, capsys):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    victim = write(tmp_path, {"victim.ipynb": b"do not overwrite"}) / "victim.ipynb"
    submitted = course / "submitted"
    submitted.mkdir()
    (submitted / "alice").symlink_to(elsewhere)
    (submitted / "bob" / LAB).mkdir(parents=True)
    (submitted / "bob" / LAB / f"{LAB}.ipynb").symlink_to(victim)
    (submitted / "carol").mkdir()
    (submitted / "carol" / "lab2-dual-numbers").symlink_to(elsewhere)
    hand_in = write(
        tmp_path / "hand-in", {f"{s}/{LAB}.ipynb": NB for s in "alice bob carol dan".split()}
    )
    before = snapshot(tmp_path)
    code, out = run(hand_in, course, capsys)
    assert code == 1
    assert sorted(placed(course)) == ["dan"]
    rows = report(course)
    tail = " (planted?): nothing written; remove it and collect again"
    assert rows[f"alice/{LAB}.ipynb"][1] == (
        f"NOT PLACED: submitted/alice in the course is a symbolic link{tail}"
    )
    assert rows[f"bob/{LAB}.ipynb"][1] == (
        f"NOT PLACED: submitted/bob/{LAB}/{LAB}.ipynb in the course is a symbolic link{tail}"
    )
    assert rows[f"carol/{LAB}.ipynb"][1] == (
        f"NOT PLACED: submitted/carol/lab2-dual-numbers in the course is a symbolic link{tail}"
    )
    assert snapshot(tmp_path) == before  # elsewhere/ is still empty, victim untouched
    assert not list(elsewhere.iterdir()) and victim.read_bytes() == b"do not overwrite"
    # the whole submitted/ folder a link: nobody is written through it
    (submitted / "dan").rename(tmp_path / "dan")
    submitted.rename(tmp_path / "old-submitted")
    submitted.symlink_to(elsewhere)
    code, out = run(hand_in, course, capsys)
    assert code == 1 and not list(elsewhere.iterdir())
    assert report(course)[f"dan/{LAB}.ipynb"][1] == (
        f"NOT PLACED: submitted in the course is a symbolic link{tail}"
    )


# ----------------------------------------------------------------------------------------
# nbgrader's exchange (course.py collect --exchange): what students handed in with Submit
# ----------------------------------------------------------------------------------------


def hand_in(inbound: Path, student: str, ago: float, files: dict | None = None) -> Path:
    """A hand-in as ``nbgrader submit`` makes it, ``ago`` seconds ago: the lab's folder (NB and
    its checks), ``timestamp.txt`` and ``submission_secret.txt``. ``files`` replace or add
    files: bytes, a Path (a symbolic link to it) or None (left out)."""
    when = (datetime.now(timezone.utc) - timedelta(seconds=ago)).strftime(TIME_FORMAT)
    folder = inbound / f"{student}+{LAB}+{when}+{secrets.token_urlsafe(9)}"
    made = {f"{LAB}.ipynb": NB, "lab1_checks.py": b"# the self-checks\n"}
    made |= {
        "timestamp.txt": when.encode(),
        "submission_secret.txt": secrets.token_hex(64).encode(),
    }
    for name, data in (made | (files or {})).items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, Path):
            (folder / name).symlink_to(data)
        elif data is not None:
            (folder / name).write_bytes(data)
    return folder


def from_exchange(course: Path, root: Path, capsys, uids: dict) -> tuple[int, str]:
    code = exchange.main(course, [LAB], collect.Limits(), root=root, uid_of=uids.get)
    return code, capsys.readouterr().out


def test_the_exchange_refuses_links_special_files_and_hand_ins_in_anothers_name(
    tmp_path, course, capsys
):
    """What nbgrader collect would copy with the instructor's rights: a notebook that is a link
    to the instructor's source, a hand-in folder that is one, a link to another's file, a FIFO,
    a hand-in named for Ada made by someone else. Each is refused by name, the exchange is only
    read, and no solution reaches submitted/; a refused hand-in hides no earlier one."""
    inbound = tmp_path / "exchange" / "diffprog" / "inbound"
    inbound.mkdir(parents=True)
    source = course / "source" / LAB / f"{LAB}.ipynb"
    me = os.getuid()
    uids = {s: me for s in ("ada", "ben", "cyd", "fay")} | {"dan": me + 1}  # eve: no user
    ada = hand_in(inbound, "ada", 60)
    ben_own = hand_in(inbound, "ben", 120, {f"{LAB}.ipynb": other("BEN")})
    ben_link = hand_in(inbound, "ben", 30, {f"{LAB}.ipynb": source})
    cyd_folder = inbound / f"cyd+{LAB}+{ada.name.split('+')[2]}+x"
    cyd_folder.symlink_to(source.parent)  # the instructor's lab folder as a hand-in
    cyd_fifo = hand_in(inbound, "cyd", 50)
    os.mkfifo(cyd_fifo / "data.csv")  # opening it to read would block
    cyd_deep = hand_in(inbound, "cyd", 40, {"notes/more.ipynb": source})
    cyd_stamp = hand_in(inbound, "cyd", 20, {"timestamp.txt": ada / "timestamp.txt"})
    dan = hand_in(inbound, "dan", 60)  # named for dan, made by someone else
    eve = hand_in(inbound, "eve", 60)
    (inbound / "notes.txt").write_bytes(b"not a hand-in")
    expected = {"ada": NB, "ben": other("BEN"), "eve": NB}
    if os.geteuid() == 0:  # a hard link to another's file keeps its owner (root can fake one)
        fay = hand_in(inbound, "fay", 60)
        os.chown(fay / f"{LAB}.ipynb", 4242, 4242)
    before = snapshot(tmp_path)
    code, out = from_exchange(course, tmp_path / "exchange", capsys, uids)
    assert code == 1, out
    assert placed(course) == expected
    assert snapshot(tmp_path) == before  # the exchange was only read
    for path in (course / "submitted").rglob("*"):
        assert path.is_dir() or b"BEGIN SOLUTION" not in path.read_bytes(), path
    rows = report(course)
    why = "refused, only plain files are read (hand in the file itself)"
    refused = {
        ben_link.name: f"{LAB}.ipynb: a symbolic link (to {source}): {why}",
        cyd_folder.name: f"a symbolic link (to {source.parent}): {why}",
        cyd_fifo.name: f"data.csv: a FIFO (named pipe): {why}",
        cyd_deep.name: f"notes/more.ipynb: a symbolic link (to {source}): {why}",
        cyd_stamp.name: f"timestamp.txt: a symbolic link (to {ada / 'timestamp.txt'}): {why}",
        "notes.txt": "not a hand-in's name (<student>+<lab>+<time>+<random>)",
    }
    user = exchange._user(me)  # "root (uid 0)", or "uid 1234" without a passwd entry
    refused[dan.name] = f"its folder belongs to {user}, not to dan: a hand-in in another's name"
    if os.geteuid() == 0:
        refused[fay.name] = f"{LAB}.ipynb: owned by uid 4242, not by the hand-in's owner: refused"
    for name, status in refused.items():
        assert rows[name][1].startswith(f"NOT PLACED: {status}"), (name, rows[name])
        assert f"REFUSED {name}: {status}" in out
    assert rows[f"{ben_own.name}/{LAB}.ipynb"][1].endswith(
        f"; a later hand-in was refused: {ben_link.name}"
    )
    assert rows[f"{eve.name}/{LAB}.ipynb"][1].endswith(
        f"; owner not checked: no system user eve; {user}"
    )
    assert rows[f"{ada.name}/lab1_checks.py"][1].startswith("NOT PLACED: not collected")


def test_the_latest_passing_hand_in_wins_with_its_time_and_key(tmp_path, course, capsys):
    """nbgrader's rule (the time in the name) decides between hand-ins; the winner's
    ``timestamp.txt`` and ``submission_secret.txt`` go with it, checked; a hand-in whose time
    or key is not what submit writes, in the future, without the notebook, or changed long
    after its time is refused or flagged; collecting again changes nothing."""
    inbound = tmp_path / "exchange" / "diffprog" / "inbound"
    inbound.mkdir(parents=True)
    uids = dict.fromkeys(["ada", "ben", "cyd", "dan", "eve", "fay"], os.getuid())
    ada = [
        hand_in(inbound, "ada", ago, {f"{LAB}.ipynb": other(str(ago))}) for ago in (300, 100, 200)
    ]
    ben = hand_in(inbound, "ben", 200)
    ben_late = hand_in(inbound, "ben", 100, {"timestamp.txt": b"2001-01-01 00:00:00.000000 UTC"})
    cyd = hand_in(inbound, "cyd", 100, {"submission_secret.txt": b"<script>not hex</script>"})
    dan = hand_in(inbound, "dan", -86400)  # a day ahead: it would win every later hand-in
    eve = hand_in(inbound, "eve", 100, {f"{LAB}.ipynb": None})
    fay = hand_in(inbound, "fay", 7200)  # named two hours ago, written now
    code, out = from_exchange(course, tmp_path / "exchange", capsys, uids)
    assert code == 1, out
    assert placed(course) == {"ada": other("100"), "ben": NB, "fay": NB}
    here = course / "submitted" / "ada" / LAB
    for name in ("timestamp.txt", "submission_secret.txt"):
        assert (here / name).read_bytes() == (ada[1] / name).read_bytes()
    assert (here / "timestamp.txt").read_text() == ada[1].name.split("+")[2]
    rows = report(course)
    for earlier in (ada[0], ada[2]):
        assert rows[earlier.name] == (
            "ada",
            f"NOT PLACED: an earlier hand-in; {ada[1].name} is later, so that one is collected",
        )
    assert rows[f"{ada[1].name}/{LAB}.ipynb"][1].startswith("placed (handed in ")
    assert rows[ben_late.name][1] == (
        "NOT PLACED: timestamp.txt says '2001-01-01 00:00:00.000000 UTC', not the time in its "
        "name: refused"
    )
    assert rows[f"{ben.name}/{LAB}.ipynb"][1].endswith(f"refused: {ben_late.name}")
    assert rows[cyd.name][1] == (
        "NOT PLACED: submission_secret.txt is not a hex key (what nbgrader submit writes): refused"
    )
    assert "is in the future" in rows[dan.name][1]
    assert (
        rows[eve.name][1]
        == f"NOT PLACED: no {LAB}.ipynb in it (nbgrader submit writes one): refused"
    )
    assert rows[f"{fay.name}/{LAB}.ipynb"][1].endswith(
        "; NOTE: changed 120 min after the time in its name (edited after it was submitted?)"
    )
    stamp = (here / "timestamp.txt").stat().st_mtime_ns
    code, out = from_exchange(course, tmp_path / "exchange", capsys, uids)
    assert rows[f"{ada[1].name}/{LAB}.ipynb"][0] == "ada"
    assert report(course)[f"{ada[1].name}/{LAB}.ipynb"][1].startswith("unchanged")
    assert (here / "timestamp.txt").stat().st_mtime_ns == stamp
    assert not (course / "archive").exists()
    newer = hand_in(inbound, "ada", 10, {f"{LAB}.ipynb": other("newest")})
    code, out = from_exchange(course, tmp_path / "exchange", capsys, uids)
    assert placed(course)["ada"] == other("newest")
    assert (here / "timestamp.txt").read_text() == newer.name.split("+")[2]
    assert [p.read_bytes() for p in (course / "archive" / "ada" / LAB).iterdir()] == [other("100")]


def test_collect_exchange_finds_the_exchange_where_nbgrader_does(tmp_path, course):
    """``course.py collect --exchange`` reads ``c.Exchange.root`` and the course id from
    nbgrader's configuration (here a folder on ``JUPYTER_CONFIG_PATH``, as the hub gives an
    instructor), and refuses an inbound folder that is not the collector's."""
    config = tmp_path / "config"
    config.mkdir()
    root = tmp_path / "elsewhere"
    (config / "nbgrader_config.py").write_text(
        f"c = get_config()\nc.Exchange.root = {str(root)!r}\n"
    )
    inbound = root / "diffprog" / "inbound"
    inbound.mkdir(parents=True)
    try:
        me = pwd.getpwuid(os.getuid()).pw_name  # a hand-in of the user running the test
    except KeyError:
        pytest.skip("the current uid has no user name to hand in as")
    hand_in(inbound, me, 60)
    env = {**os.environ, "JUPYTER_CONFIG_PATH": str(config), "DIFFPROG_EXCHANGE": "/nowhere"}
    argv = [sys.executable, str(course / "tools" / "course.py"), "collect", "--exchange", LAB]
    done = subprocess.run(argv, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"from {inbound} (c.Exchange.root in nbgrader's configuration)" in done.stdout
    assert sorted(placed(course)) == [me]
    if os.geteuid() == 0:  # a student made the inbound folder before the instructor
        os.chown(inbound, 4242, 4242)
        done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=120)
        assert done.returncode == 2, done.stdout + done.stderr
        assert f"error: {inbound} belongs to uid 4242, not to you or root" in done.stdout
