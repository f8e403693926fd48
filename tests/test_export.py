"""The student repository (notebooks/grader/export.py): nothing instructor-only in it, all a
student needs, and a marker that slips through stops the export.

The export of this repository's HEAD is made once into a temporary folder. The failure case
runs in a scratch clone, where a marker is committed into a page of the book. The book
itself is not built here (test_book.py does that for the full repository); instead every
page ``_toc.yml`` names must exist in the export, and the tests left in it must collect.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "notebooks" / "grader"))
import export  # noqa: E402

yaml = pytest.importorskip("yaml")


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), *args], capture_output=True, text=True, check=True
    ).stdout


def files_under(root: Path) -> dict[str, Path]:
    return {
        p.relative_to(root).as_posix(): p
        for p in root.rglob("*")
        if (p.is_file() or p.is_symlink()) and ".git" not in p.relative_to(root).parts
    }


@pytest.fixture(scope="module")
def exported(tmp_path_factory) -> export.Export:
    return export.export(ROOT, tmp_path_factory.mktemp("export") / "student")


def test_nothing_instructor_only_is_exported(exported):
    files = files_under(exported.dest)
    assert files and sorted(files) == exported.files
    assert [p for p in files if export.is_excluded(p)] == []
    for folder in (
        "notebooks/source",
        "notebooks/tools",
        "notebooks/grader",
        "tests/wrong_answers",
    ):
        assert not (exported.dest / folder).exists(), folder
    assert len(exported.excluded) >= 60  # 34 source, 20 tools, 12 wrong answers, the grader...
    markers = [
        p for p, path in files.items() if any(m in path.read_bytes() for m in export.MARKERS)
    ]
    assert markers == []
    assert not re.search(rb"### BEGIN (SOLUTION|HIDDEN TESTS)", b"".join(
        path.read_bytes() for path in files.values()))  # fmt: skip
    assert "For instructors" not in (exported.dest / "notebooks" / "README.md").read_text()


def test_instructor_tests_are_left_out_and_the_rest_collect(exported):
    dropped = exported.dropped_tests
    assert {"tests/test_labs.py", "tests/test_pipeline.py", "tests/test_book.py"} <= set(dropped)
    assert all(why.startswith("imports ") for why in dropped.values())
    kept = [p for p in exported.files if re.fullmatch(r"tests/test_\w+\.py", p)]
    assert "tests/test_primitives_fd.py" in kept and len(kept) >= 10
    env = dict(os.environ, PYTHONPATH=str(exported.dest))  # the export's autodiff_lite first
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider"],
        cwd=exported.dest,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert re.search(r"\d+ tests collected", run.stdout) and "ERROR" not in run.stdout


def test_the_labs_the_library_and_the_book_are_all_there(exported):
    files = set(exported.files)
    head = set(git(ROOT, "ls-tree", "-r", "--name-only", exported.source_commit).split())
    release = {p for p in head if p.startswith("notebooks/release/")}
    assert len([p for p in release if p.endswith(".ipynb")]) >= 17
    assert release <= files
    for part in ("autodiff_lite/", "book/", "binder/", "benchmarks/", "requirements/"):
        assert {p for p in head if p.startswith(part)} <= files, part
    toc = yaml.safe_load((exported.dest / "_toc.yml").read_text())
    pages = []

    def walk(node):
        if isinstance(node, dict):
            pages.extend(node[k] for k in ("root", "file") if k in node)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(toc)
    assert len(pages) >= 30
    missing = [p for p in pages if not any(f"{p}{ext}" in files for ext in (".md", ".ipynb"))]
    assert missing == [], f"_toc.yml names pages the export lacks: {missing}"
    assert os.access(exported.dest / "binder" / "postBuild", os.X_OK)


def test_the_export_is_a_fresh_repository(exported):
    log = git(exported.dest, "log", "--format=%s").splitlines()
    assert len(log) == 1 and exported.source_commit[:12] in log[0]  # no history, no solutions
    assert git(exported.dest, "status", "--porcelain") == ""
    assert sorted(git(exported.dest, "ls-files").split()) == exported.files


def test_binder_removes_what_the_export_leaves_out():
    """binder/postBuild serves this repository itself: it must delete the same things."""
    script = (ROOT / "binder" / "postBuild").read_text()
    removed = [line.split()[2:] for line in script.splitlines() if line.startswith("rm -rf ")]
    removed = {p.rstrip("/") for paths in removed for p in paths}
    for path in export.EXCLUDED:
        parts = path.rstrip("/").split("/")
        assert any("/".join(parts[:i]) in removed for i in range(1, len(parts) + 1)), path


@pytest.fixture
def clone(tmp_path) -> Path:
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True)
    return clone


def commit_all(repo: Path, message: str) -> None:
    git(repo, "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-qam", message)


def run_export(repo: Path, dest: Path) -> subprocess.CompletedProcess:
    script = ROOT / "notebooks" / "grader" / "export.py"
    return subprocess.run(
        [sys.executable, str(script), "--repo", str(repo), str(dest)],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_marker_that_slips_through_stops_the_export(clone, tmp_path):
    page = clone / "book" / "part1" / "04-forward-mode.md"
    page.write_text(page.read_text() + "\n```python\n### BEGIN SOLUTION\nx = 1\n```\n")
    commit_all(clone, "an answer pasted into a lesson")
    run = run_export(clone, tmp_path / "out")
    assert run.returncode == 1, run.stdout + run.stderr
    assert "book/part1/04-forward-mode.md" in run.stderr and "refusing" in run.stderr
    assert not (tmp_path / "out").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["clone"]  # no half-written folder left


def test_what_is_exported_is_the_commit_not_the_working_tree(clone, tmp_path):
    page = clone / "book" / "intro.md"
    page.write_text(page.read_text() + "\n### BEGIN HIDDEN TESTS\n")  # not committed
    run = run_export(clone, tmp_path / "out")
    assert run.returncode == 0, run.stderr
    assert "uncommitted changes" in run.stdout and "book/intro.md" in run.stdout
    assert b"BEGIN HIDDEN" not in (tmp_path / "out" / "book" / "intro.md").read_bytes()


def test_the_destination_must_be_a_new_folder_outside_the_repository(tmp_path):
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "keep.txt").write_text("mine")
    with pytest.raises(SystemExit, match="not an empty folder"):
        export.export(ROOT, tmp_path / "full")
    with pytest.raises(SystemExit, match="inside the repository"):
        export.export(ROOT, ROOT / "_build" / "student")
    assert (tmp_path / "full" / "keep.txt").read_text() == "mine"
