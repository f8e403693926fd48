"""The student-facing repository: everything a student may see, and nothing they may not.

Students get the course from a repository of its own (pushed to a public host, served by
Binder, built into the web book). One command makes it from this one::

    make student-repo DEST=../diffprog-student     # or: python notebooks/grader/export.py DEST

**What goes in.** The files git tracks at one commit (``HEAD`` unless ``--ref``), never
untracked or ignored files, and never the history, which holds every solution ever
committed: DEST is a fresh git repository with a single commit, ready to push.

**What stays out** (``EXCLUDED``): the labs' instructor versions (``notebooks/source/``),
the instructor's tools (``notebooks/tools/``), the grading core and this exporter
(``notebooks/grader/``), the nbgrader configuration that imports them, and the wrong
answers the tests grade (``tests/lab_wrong_answers.py``, ``tests/wrong_answers/``:
near-solutions). Test modules that import any of that are left out too; the rest (the
library's own tests, which show nothing the library's source does not) stay, so the
export's ``make test`` runs. Some files get a student version (``STUDENT_VERSIONS``):
``notebooks/README.md`` ends before its part for instructors.

**The check that cannot be forgotten.** Every exported file is scanned for nbgrader's
solution and hidden-test delimiters (``MARKERS``, the delimiters ``nbgrader_config.py``
sets, so ``### BEGIN SOLUTION`` and any other spelling nbgrader would act on). One found
stops the export with the file named, and nothing is left at DEST: the files are written to
a temporary folder that is renamed into place only at the end. A file that trips it is a
gap in the lists above, to be closed here, never a file to drop silently.
"""

from __future__ import annotations

import argparse
import ast
import io
import os
import posixpath
import shutil
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

EXCLUDED = (
    "notebooks/source/",  # the labs with their solutions and hidden tests
    "notebooks/tools/",  # the instructor's command line and tools
    "notebooks/grader/",  # the grading core: harness, sandbox, feedback filters, this file
    "notebooks/nbgrader_config.py",  # the instructor's nbgrader setup (imports the grader)
    "tests/lab_wrong_answers.py",  # wrong answers to every exercise: near-solutions
    "tests/attacks.py",  # attacks on the grader, built on the labs' solutions
    "tests/test_attacks.py",  # grades them against the hidden tests
    "tests/wrong_answers/",
)
MARKERS = (b"BEGIN SOLUTION", b"BEGIN HIDDEN TESTS")


def _instructor_part_removed(text: str) -> str:
    head, found, _ = text.partition("\n## For instructors")
    return head.rstrip() + "\n" if found else text


STUDENT_VERSIONS = {"notebooks/README.md": _instructor_part_removed}


class LeakError(RuntimeError):
    """A file about to be exported holds a solution or hidden-test delimiter."""


@dataclass
class Export:
    """What an export wrote, and what it left out and why."""

    dest: Path
    source_commit: str
    files: list[str] = field(default_factory=list)
    excluded: list[str] = field(default_factory=list)
    dropped_tests: dict[str, str] = field(default_factory=dict)
    uncommitted: list[str] = field(default_factory=list)


def _git(repo: Path, *args: str, binary: bool = False):
    run = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, check=False)
    if run.returncode:
        sys.exit(f"git {' '.join(args)} failed: {run.stderr.decode(errors='replace').strip()}")
    return run.stdout if binary else run.stdout.decode()


def is_excluded(path: str) -> bool:
    return any(path == p.rstrip("/") or (p.endswith("/") and path.startswith(p)) for p in EXCLUDED)


@dataclass(frozen=True)
class Tracked:
    """One file as git stores it: its bytes, its executable bit, or the target of a link."""

    data: bytes = b""
    executable: bool = False
    link: str | None = None


def tracked_files(repo: Path, ref: str) -> dict[str, Tracked]:
    """Every file git tracks at ``ref``, read from ``git archive`` (no working tree)."""
    archive = tarfile.open(fileobj=io.BytesIO(_git(repo, "archive", ref, binary=True)))
    files = {}
    for member in archive:
        if member.isfile():
            data = archive.extractfile(member).read()
            files[member.name] = Tracked(data, executable=bool(member.mode & 0o111))
        elif member.issym():
            files[member.name] = Tracked(link=member.linkname)
    return files


def _imports(source: bytes) -> set[str]:
    """The top-level names a module imports (``from a.b import c`` -> ``a``)."""
    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def instructor_tests(files: dict[str, Tracked]) -> dict[str, str]:
    """Test modules that need what the export leaves out, with the reason.

    A module is left out when it imports a module of an excluded folder (``course``,
    ``grader``, ``lab_wrong_answers``, ...) or a test module that is itself left out.
    """
    unavailable = set()
    for path in (p for p in files if is_excluded(p) and p.endswith(".py")):
        parts = Path(path).parts
        unavailable |= {parts[-2] if parts[-1] == "__init__.py" else Path(path).stem, *parts[1:-1]}
    tests = {
        path: _imports(tracked.data)
        for path, tracked in files.items()
        if path.startswith("tests/") and path.endswith(".py") and not is_excluded(path)
    }
    dropped: dict[str, str] = {}
    while True:
        new = {p: sorted(names & unavailable) for p, names in tests.items() if p not in dropped}
        new = {p: "imports " + ", ".join(bad) for p, bad in new.items() if bad}
        if not new:
            return dropped
        dropped |= new
        unavailable |= {Path(p).stem for p in new}


def leaks(files: dict[str, Tracked]) -> list[str]:
    """The files that hold a solution or hidden-test delimiter (as bytes: binary files too)."""
    return sorted(p for p, f in files.items() if any(m in f.data for m in MARKERS))


def export(repo: Path, dest: Path, ref: str = "HEAD", *, init_git: bool = True) -> Export:
    """Write the student repository for ``repo`` at ``ref`` into the new folder ``dest``."""
    repo, dest = repo.resolve(), dest.resolve()
    if dest.is_relative_to(repo):
        sys.exit(f"{dest} is inside the repository; choose a folder outside it")
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        sys.exit(f"{dest} exists and is not an empty folder; choose a new one")
    commit = _git(repo, "rev-parse", "--verify", f"{ref}^{{commit}}").strip()
    report = Export(dest, commit)
    changed = _git(repo, "status", "--porcelain", "--untracked-files=no").splitlines()
    report.uncommitted = [line[3:] for line in changed]
    files = tracked_files(repo, commit)
    report.excluded = sorted(filter(is_excluded, files))
    report.dropped_tests = instructor_tests(files)
    left_out = set(report.excluded) | set(report.dropped_tests)
    kept = {p: f for p, f in files.items() if p not in left_out}
    for path, student_version in STUDENT_VERSIONS.items():
        if path in kept:
            new_text = student_version(kept[path].data.decode())
            kept[path] = Tracked(new_text.encode(), kept[path].executable)
    if found := leaks(kept):
        raise LeakError(
            "refusing to export: solution or hidden-test markers in "
            + ", ".join(found)
            + " (exclude the file in notebooks/grader/export.py, or remove the markers)"
        )
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", dir=dest.parent))
    tmp.chmod(0o755)  # mkdtemp's is private
    try:
        for path, entry in sorted(kept.items()):
            _write(tmp, path, entry)
        if init_git:
            _commit(tmp, repo, commit)
        if dest.exists():
            dest.rmdir()
        tmp.rename(dest)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    report.files = sorted(kept)
    return report


def _write(root: Path, path: str, tracked: Tracked) -> None:
    target = root / path
    target.parent.mkdir(parents=True, exist_ok=True)
    if tracked.link is not None:  # a link is kept only if it stays inside the export
        to = posixpath.normpath(posixpath.join(posixpath.dirname(path), tracked.link))
        if to.startswith("../") or posixpath.isabs(tracked.link) or is_excluded(to):
            raise LeakError(f"refusing to export: the link {path} points to {tracked.link}")
        os.symlink(tracked.link, target)
    else:
        target.write_bytes(tracked.data)
        target.chmod(0o755 if tracked.executable else 0o644)


def _commit(root: Path, repo: Path, commit: str) -> None:
    identity = [] if _git(repo, "config", "--default", "", "user.email").strip() else [
        "-c", "user.name=diffprog export", "-c", "user.email=export@localhost"]  # fmt: skip
    _git(root, "init", "-q", "--initial-branch=main")
    _git(root, "add", "--all", "--force", ".")  # tracked upstream, so never "ignored" here
    message = f"The course for students, from commit {commit[:12]} (notebooks/grader/export.py)"
    _git(root, *identity, "commit", "-q", "--no-verify", "-m", message)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("dest", type=Path, help="a new (or empty) folder outside the repository")
    parser.add_argument("--ref", default="HEAD", help="the commit to export (default HEAD)")
    parser.add_argument("--repo", type=Path, default=Path(__file__).resolve().parents[2])
    parser.add_argument("--no-git", action="store_true", help="files only, no git repository")
    args = parser.parse_args(argv)
    try:
        report = export(args.repo, args.dest, args.ref, init_git=not args.no_git)
    except LeakError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    print(f"Exported {len(report.files)} files of {report.source_commit[:12]} to {report.dest}")
    print(f"Left out {len(report.excluded)} instructor files under: " + ", ".join(EXCLUDED))
    for path, why in report.dropped_tests.items():
        print(f"Left out {path} (instructor-only test: {why})")
    if report.uncommitted:
        print(f"Note: {len(report.uncommitted)} tracked file(s) have uncommitted changes, "
              f"exported as committed: {', '.join(report.uncommitted[:5])}")  # fmt: skip
    if not args.no_git:
        print(f"{report.dest} is a new git repository with one commit: add a remote and push.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
