"""The nbgrader labs, end to end, with the real nbgrader command line on the real notebooks.

For every lab in ``notebooks/source/`` (new labs are picked up automatically):

(a) the committed ``notebooks/release/<lab>/`` is what ``nbgrader generate_assignment``
    makes from the source now (else: run ``make release``);
(b) the release holds no solution code and no hidden tests;
(c) the source notebook, submitted alone as a student's work (the grader adds the lab's
    other files, such as its self-check module), autogrades to full marks, and each
    exercise's self-check then says "visible checks passed";
(d) the release notebook, submitted untouched, runs to the end (only test cells fail) and
    autogrades to zero;
(e) each plausible wrong answer of ``tests/lab_wrong_answers.py`` loses marks on its
    exercise's tests.

Everything runs in a temporary copy of the course folder, so nothing is written into the
repository. One ``generate_assignment`` run makes all releases; the submissions (source,
release and one per wrong answer, each as a separate student) are graded by one run of the
instructor's ``course.py autograde`` (each in its own sandbox, the tests in the grader:
``notebooks/grader/``), in parallel.
"""

from __future__ import annotations

import filecmp
import os
import re
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from lab_wrong_answers import WRONG_ANSWERS  # noqa: E402

nbformat = pytest.importorskip("nbformat")
pytest.importorskip("nbgrader")

import course as course_tools  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
sys.path.insert(0, str(NOTEBOOKS))
sys.path.insert(0, str(NOTEBOOKS / "tools"))
import labstats  # noqa: E402
from grader import labsource  # noqa: E402

LABS = labsource.labs()
# DIFFPROG_LABS=lab6-fitting,lab7-hard-edges limits a run to some labs (while writing a lab).
if os.environ.get("DIFFPROG_LABS"):
    _only = set(os.environ["DIFFPROG_LABS"].split(","))
    LABS = [lab for lab in LABS if lab in _only]
CACHES = ("__pycache__", ".ipynb_checkpoints")
SOLUTION = re.compile(r"### BEGIN SOLUTION\n(.*?)### END SOLUTION", re.S)
HIDDEN = re.compile(r"### BEGIN HIDDEN TESTS\n(.*?)### END HIDDEN TESTS", re.S)

# ----------------------------------------------------------------------------------------
# Reading notebooks
# ----------------------------------------------------------------------------------------


def _nbg(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def is_answer(cell) -> bool:
    return bool(_nbg(cell).get("solution")) and cell.cell_type == "code"


def is_test(cell) -> bool:
    m = _nbg(cell)
    return bool(m.get("grade")) and not m.get("solution") and cell.cell_type == "code"


def exercises(nb) -> list[tuple[object, list, list]]:
    """(answer cell, its test cells, the other code cells) for each answer cell, in order.

    An exercise is an answer cell and the cells after it, up to the next answer cell.
    """
    found = []
    for cell in nb.cells:
        if is_answer(cell):
            found.append((cell, [], []))
        elif found and cell.cell_type == "code":
            found[-1][1 if is_test(cell) else 2].append(cell)
    return found


def read(path: Path):
    return nbformat.read(path, as_version=4)


def source_nb(lab: str):
    return labsource.read(lab)  # the lab's one source, source/<lab>/<lab>.md


def comparable(nb) -> dict:
    """What a notebook says, without what may change from one save to the next."""
    keep = ("nbgrader", "deletable", "editable", "tags")
    return {
        "kernelspec": dict(nb.metadata.get("kernelspec", {})),
        "cells": [
            (
                c.cell_type,
                c.source,
                {k: c.metadata[k] for k in keep if k in c.metadata},
            )
            for c in nb.cells
        ],
    }


def meaningful_lines(text: str) -> set[str]:
    """Stripped lines of code worth looking for (not blank, not comments, not tiny)."""
    lines = (line.strip() for line in text.splitlines())
    return {line for line in lines if len(line) >= 8 and not line.startswith("#")}


# ----------------------------------------------------------------------------------------
# Running nbgrader in a scratch copy of the course
# ----------------------------------------------------------------------------------------


def _env(home: Path) -> dict:
    env = dict(os.environ)
    env.pop("DIFFPROG_DB_URL", None)  # the scratch course's own SQLite gradebook
    env["JUPYTER_CONFIG_DIR"] = str(home / "jupyter-config")  # no personal nbgrader config
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def course_cmd(course: Path, env: dict, *args: str, timeout_s: int = 1800) -> str:
    """Run the instructor's command line (tools/course.py) in the scratch course."""
    proc = subprocess.run(
        [sys.executable, str(course / "tools" / "course.py"), *args],
        cwd=course,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout_s,
    )
    out = proc.stdout + proc.stderr
    if proc.returncode:
        log = course / "course-failure.log"
        log.write_text(out)
        raise AssertionError(
            f"course.py {' '.join(args)} failed (whole output: {log}):\n{out[-6000:]}"
        )
    return out


def nbgrader(args: list[str], course: Path, env: dict, timeout_s=900) -> str:
    """Run the real nbgrader command line in ``course`` (through ``course.nbgrader``)."""
    try:
        proc = course_tools.nbgrader(*args, cwd=course, env=env, timeout=timeout_s)
    except subprocess.TimeoutExpired as e:
        raise AssertionError(f"nbgrader {' '.join(args)} did not finish in {timeout_s} s") from e
    if proc.returncode:
        raise AssertionError(
            f"nbgrader {' '.join(args)} failed:\n{(proc.stdout + proc.stderr)[-6000:]}"
        )
    return proc.stdout + proc.stderr


def submission(lab: str, student: str, release: Path, replace: dict[str, str] | None = None):
    """The files a student hands in: the source (or release) folder, maybe one cell changed."""
    folder = (NOTEBOOKS / "source" / lab) if student != "release" else release / lab
    nb = source_nb(lab) if student != "release" else read(folder / f"{lab}.ipynb")
    for cell in nb.cells:
        if replace and _nbg(cell).get("grade_id") in replace:
            cell.source = replace[_nbg(cell)["grade_id"]].strip("\n")
    return folder, nb


def students(lab: str) -> dict[str, dict[str, str] | None]:
    """Student id -> the answer cells it replaces (None: the notebook as it is)."""
    out: dict[str, dict[str, str] | None] = {"source": None, "release": None}
    for grade_id, sources in WRONG_ANSWERS.get(lab, {}).items():
        for k, text in enumerate([sources] if isinstance(sources, str) else sources):
            out[f"wrong-{grade_id}-{k}"] = {grade_id: text}
    return out


class GradedCourse:
    """All labs released and graded once; the tests below read the results."""

    def __init__(self, base: Path):
        self.base = base
        self.course = base / "course"
        self.env = _env(base)
        (base / "jupyter-config").mkdir()
        start = time.perf_counter()
        course_tools.copy_course(self.course, with_release=False)
        nbgrader(["generate_assignment", "*", "--force"], self.course, self.env)
        self.release = self.course / "release"
        self.generate_s = time.perf_counter() - start
        self.grades: dict[tuple[str, str], dict[str, tuple[float, float]]] = {}
        self.manual: dict[tuple[str, str], set[str]] = {}  # written answers, for formgrader
        self.autograded: dict[tuple[str, str], Path] = {}
        start = time.perf_counter()
        self._grade_all()
        self.autograde_s = time.perf_counter() - start

    def _grade_all(self) -> None:
        """Every submission placed as collect would, then one ``course.py autograde`` run
        (sandboxed runners, tests in the grader) for all of them, in parallel."""
        jobs = [(lab, sid, rep) for lab in LABS for sid, rep in students(lab).items()]
        for lab, sid, rep in jobs:
            _, nb = submission(lab, sid, self.release, rep)
            dest = self.course / "submitted" / sid / lab
            dest.mkdir(parents=True)
            nbformat.write(nb, dest / f"{lab}.ipynb")
            self.autograded[lab, sid] = self.course / "autograded" / sid / lab / f"{lab}.ipynb"
        self.log = course_cmd(self.course, self.env, "autograde", *LABS)
        from nbgrader.api import Gradebook

        with Gradebook(f"sqlite:///{self.course / 'gradebook.db'}", course_id="diffprog") as gb:
            for lab, sid, _ in jobs:
                nb = gb.find_submission_notebook(lab, lab, sid)
                self.grades[lab, sid] = {  # the autograded cells
                    g.name: (float(g.score), float(g.max_score))
                    for g in nb.grades
                    if not g.needs_manual_grade
                }
                self.manual[lab, sid] = {g.name for g in nb.grades if g.needs_manual_grade}


@pytest.fixture(scope="module")
def graded(tmp_path_factory, request):
    try:
        course = GradedCourse(tmp_path_factory.mktemp("labs"))
    except AssertionError as failure:
        request.config._setup_failures.append(("grading the labs", str(failure)))  # conftest
        raise
    n = len(course.grades)
    print(
        f"\nlabs: generate_assignment {course.generate_s:.1f} s; autograde of {n} "
        f"submissions {course.autograde_s:.1f} s"
    )
    return course


# ----------------------------------------------------------------------------------------
# The notebooks themselves (no nbgrader run needed)
# ----------------------------------------------------------------------------------------


@pytest.mark.skipif(bool(os.environ.get("DIFFPROG_LABS")), reason="DIFFPROG_LABS limits the labs")
def test_labs_are_found():
    assert "lab1-finite-differences" in LABS and "lab2-dual-numbers" in LABS, LABS


def test_course_config(monkeypatch):
    """Course id, root and gradebook from nbgrader_config.py: no machine-specific paths."""
    from traitlets.config.loader import PyFileConfigLoader

    def load():
        return PyFileConfigLoader("nbgrader_config.py", path=str(NOTEBOOKS)).load_config()

    monkeypatch.delenv("DIFFPROG_DB_URL", raising=False)
    c = load()
    assert c.CourseDirectory.course_id == "diffprog"
    assert c.CourseDirectory.root == str(NOTEBOOKS)
    assert c.CourseDirectory.db_url == f"sqlite:///{NOTEBOOKS / 'gradebook.db'}"
    assert [p.__name__ for p in c.Autograde.autograde_preprocessors] == [
        "InKernelGradingRefused"
    ]  # nbgrader's in-kernel autograde is refused: the course grades with grader/
    assert c.ClearSolutions.code_stub == {"python": 'raise NotImplementedError("your code here")'}
    assert c.Autograde.create_student is True
    monkeypatch.setenv("DIFFPROG_DB_URL", "postgresql://grader@db.example.org/diffprog")
    assert load().CourseDirectory.db_url == "postgresql://grader@db.example.org/diffprog"


@pytest.mark.parametrize("lab", LABS)
def test_lab_structure(lab):
    """Each exercise: an answer cell with a solution, then a self-check call, then tests
    with points, visible asserts and hidden tests on fresh random inputs."""
    nb = source_nb(lab)
    ids = [_nbg(c).get("grade_id") for c in nb.cells if _nbg(c)]
    assert len(ids) == len(set(ids)), f"{lab}: duplicate grade ids"
    found = exercises(nb)
    assert found, f"{lab} has no answer cells"
    for answer, test_cells, others in found:
        name = _nbg(answer)["grade_id"]
        assert SOLUTION.search(answer.source), f"{lab}/{name}: no BEGIN/END SOLUTION"
        assert test_cells, f"{lab}/{name}: no autograded tests cell after the answer cell"
        assert any("check" in c.source and _nbg(c).get("locked") for c in others), (
            f"{lab}/{name}: no read-only self-check call after the answer cell"
        )
        for cell in test_cells:
            meta, tid = _nbg(cell), _nbg(cell)["grade_id"]
            assert meta.get("locked") and meta.get("points", 0) > 0, f"{lab}/{tid}"
            hidden = HIDDEN.search(cell.source)
            assert hidden, f"{lab}/{tid}: no hidden tests"
            visible = cell.source[: hidden.start()]
            assert "assert" in visible, f"{lab}/{tid}: no visible asserts before the hidden ones"
            fresh = re.search(r"default_rng\(\)|fresh_rng\(\)|SeedSequence\(\)", hidden.group(1))
            assert fresh, f"{lab}/{tid}: hidden tests need fresh random inputs (unseeded rng)"


def written_answers(nb) -> list:
    """The Markdown answers graded by hand (nbgrader's "Manually graded answer")."""
    return [c for c in nb.cells if c.cell_type == "markdown" and _nbg(c).get("solution")]


@pytest.mark.parametrize("lab", LABS)
def test_lab_grades_understanding(lab):
    """Each lab: a *predict, then measure* exercise (answer cell ``predict_...``), a written
    answer graded by hand from a rubric in the source, and at most one solution line in ten
    found word for word in the book (``notebooks/tools/labstats.py``)."""
    nb = source_nb(lab)
    predicts = [
        _nbg(a)["grade_id"]
        for a, _, _ in exercises(nb)
        if _nbg(a)["grade_id"].startswith("predict_")
    ]
    assert predicts, f"{lab}: no predict-then-measure exercise (an answer cell predict_...)"
    written = written_answers(nb)
    assert written, f"{lab}: no written answer (a Markdown cell graded by hand)"
    for cell in written:
        meta, gid = _nbg(cell), _nbg(cell)["grade_id"]
        assert meta.get("grade") and meta.get("points", 0) > 0, f"{lab}/{gid}: needs points"
        rubric = SOLUTION.search(cell.source + "\n")
        assert rubric and "rubric" in rubric.group(1).lower(), (
            f"{lab}/{gid}: the model answer and a rubric go between BEGIN and END SOLUTION"
        )
    stats = labstats.stats(lab)
    assert stats.share <= 0.1, (
        f"{lab}: {len(stats.verbatim)} of {len(stats.lines)} solution lines are in the book: "
        f"{stats.verbatim[:5]}"
    )


@pytest.mark.skipif(bool(os.environ.get("DIFFPROG_LABS")), reason="DIFFPROG_LABS limits the labs")
def test_the_lab_table_gives_points_by_kind():
    """notebooks/README.md's table: each lab's points for code, predictions and written
    answers, as the sources have them (the book's labs page computes its own)."""
    text = (NOTEBOOKS / "README.md").read_text(encoding="utf-8")
    for lab in LABS:
        row = re.search(rf"^\| `{lab}` \|(.*)\|\s*$", text, re.M)
        assert row, f"notebooks/README.md has no row for {lab}"
        cells = [c.strip() for c in row.group(1).split("|")]
        points = labstats.stats(lab).points
        want = [f"{points[k]:g}" for k in labstats.KINDS] + [f"{sum(points.values()):g}"]
        assert cells[-4:] == want, f"{lab}: the table says {cells[-4:]}, the source {want}"


def test_case_studies_carry_real_coding_work():
    """The case-study labs (12 to 17): the median asks for at least 40 lines of code."""
    cases = [lab for lab in LABS if re.match(r"lab1[2-7]-", lab)]
    if len(cases) < 6:
        pytest.skip("DIFFPROG_LABS leaves out case-study labs")
    lines = sorted(len(labstats.stats(lab).lines) for lab in cases)
    assert lines[len(lines) // 2 - 1] >= 40 and lines[len(lines) // 2] >= 40, lines


@pytest.mark.parametrize("lab", LABS)
def test_every_exercise_has_a_wrong_answer(lab):
    answers = [_nbg(a)["grade_id"] for a, _, _ in exercises(source_nb(lab))]
    missing = [g for g in answers if g not in WRONG_ANSWERS.get(lab, {})]
    assert not missing, f"add wrong answers for {lab}: {missing} to tests/lab_wrong_answers.py"
    unknown = set(WRONG_ANSWERS.get(lab, {})) - set(answers)
    assert not unknown, f"tests/lab_wrong_answers.py names no such answer cells: {unknown}"


def test_the_lab_source_is_the_only_copy():
    """One human-editable source per lab: ``source/<lab>/<lab>.md``. nbgrader's ``.ipynb`` is
    built from it (and ignored by git); no generator scripts remain."""
    tracked = subprocess.run(
        ["git", "-C", str(ROOT), "ls-files", "notebooks/source", "notebooks/tools"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert not [t for t in tracked if t.endswith(".ipynb")], tracked
    assert not [t for t in tracked if re.search(r"tools/lab\d+_\w+\.py$", t)], tracked
    for lab in LABS:
        assert f"notebooks/source/{lab}/{lab}.md" in tracked, lab


def test_a_broken_lab_source_says_what_to_add(tmp_path, monkeypatch):
    """A cell without nbgrader metadata is refused with a message naming the cell."""
    lab = "lab1-finite-differences"
    text = labsource.path(lab).read_text(encoding="utf-8")
    (tmp_path / lab).mkdir()
    (tmp_path / lab / f"{lab}.md").write_text(text + "\n```{code-cell} ipython3\nx = 1\n```\n")
    monkeypatch.setattr(labsource, "SOURCE", tmp_path)
    with pytest.raises(labsource.LabSourceError, match=r"cell \d+ \('x = 1'\).*nbgrader"):
        labsource.read(lab)


# ----------------------------------------------------------------------------------------
# (a) and (b): the release
# ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("lab", LABS)
def test_release_is_up_to_date(graded, lab):
    committed, fresh = NOTEBOOKS / "release" / lab, graded.release / lab
    stale = f"notebooks/release/{lab} is not what nbgrader makes from the source: run make release"
    assert committed.is_dir(), stale
    files = sorted(p.relative_to(fresh) for p in fresh.rglob("*") if p.is_file())
    ours = sorted(
        p.relative_to(committed)
        for p in committed.rglob("*")
        if p.is_file() and not set(p.parts) & set(CACHES)
    )
    assert files == ours, stale
    for rel in files:
        if rel.suffix == ".ipynb":
            assert comparable(read(committed / rel)) == comparable(read(fresh / rel)), stale
        else:
            assert filecmp.cmp(committed / rel, fresh / rel, shallow=False), stale


@pytest.mark.parametrize("lab", LABS)
def test_release_has_no_solutions_or_hidden_tests(lab):
    rel_dir = NOTEBOOKS / "release" / lab
    release_text = {
        p.relative_to(rel_dir): p.read_text(encoding="utf-8")
        for p in rel_dir.rglob("*")
        if p.is_file() and p.suffix in (".ipynb", ".py", ".md", ".txt", ".json", ".csv")
    }
    for p, text in release_text.items():
        for marker in ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "HIDDEN TESTS"):
            assert marker not in text, f"{lab}: '{marker}' in release/{lab}/{p}"

    # Secret lines: inside a solution (or hidden-tests) region, and nowhere else in the
    # source notebook. Solution lines must not be in any released file (a helper module
    # included); hidden-test lines must not be in the released notebook (a helper module may
    # share a line with a hidden test, e.g. the definition of a test function).
    nb = source_nb(lab)
    solution, hidden, public = set(), set(), set()
    for cell in nb.cells:
        solution.update(*(meaningful_lines(r) for r in SOLUTION.findall(cell.source)))
        hidden.update(*(meaningful_lines(r) for r in HIDDEN.findall(cell.source)))
        public |= meaningful_lines(SOLUTION.sub("", HIDDEN.sub("", cell.source)))
    in_notebook = set().union(
        *(meaningful_lines(c.source) for c in read(rel_dir / f"{lab}.ipynb").cells)
    )
    in_files = set().union(
        *(meaningful_lines(t) for p, t in release_text.items() if p.suffix != ".ipynb")
    )
    leaked = sorted((solution - public) & (in_notebook | in_files))
    assert not leaked, f"{lab}: solution lines in the release: {leaked[:5]}"
    leaked = sorted((hidden - public) & in_notebook)
    assert not leaked, f"{lab}: hidden-test lines in the released notebook: {leaked[:5]}"


# ----------------------------------------------------------------------------------------
# (c), (d) and (e): graded submissions
# ----------------------------------------------------------------------------------------


def _outputs(cell) -> str:
    parts = []
    for out in cell.get("outputs", []):
        if out.get("output_type") == "stream":
            parts.append(out.get("text", ""))
        elif out.get("output_type") == "error":
            parts.append(f"{out.get('ename')}: {out.get('evalue')}")
        else:
            parts.append(str(out.get("data", {}).get("text/plain", "")))
    return "".join(parts)


@pytest.mark.parametrize("lab", LABS)
def test_source_scores_full_marks(graded, lab):
    grades = graded.grades[lab, "source"]
    assert grades, f"{lab}: no graded cells"
    short = {k: v for k, v in grades.items() if v[0] < v[1]}
    assert not short, f"{lab}: the solutions lose marks on {short}"
    written = {_nbg(c)["grade_id"] for c in written_answers(source_nb(lab))}
    assert graded.manual[lab, "source"] == written, "written answers wait for formgrader"
    nb = read(graded.autograded[lab, "source"])
    for cell in nb.cells:
        errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
        assert not errors, f"{lab}: the solution notebook raised {_outputs(cell)!r}"
    for answer, _, others in exercises(nb):
        reports = [_outputs(c) for c in others if "visible checks" in _outputs(c)]
        name = _nbg(answer)["grade_id"]
        assert reports, f"{lab}/{name}: no self-check report after the exercise"
        for text in reports:
            assert "visible checks passed" in text and "failed" not in text, (name, text)
    assert "all tests passed" not in nbformat.writes(nb).lower()


@pytest.mark.parametrize("lab", LABS)
def test_release_runs_and_scores_zero(graded, lab):
    grades = graded.grades[lab, "release"]
    assert sum(s for s, _ in grades.values()) == 0, f"{lab}: the release scores {grades}"
    nb = read(graded.autograded[lab, "release"])
    for cell in nb.cells:
        errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
        if is_test(cell):
            assert errors, f"{lab}/{_nbg(cell)['grade_id']}: a test cell passes on the stubs"
        else:
            where = _nbg(cell).get("grade_id", cell.source[:60])
            assert not errors, f"{lab}: the release fails outside a test cell, in {where}"
    for answer, _, others in exercises(nb):
        text = "".join(_outputs(c) for c in others)
        name = _nbg(answer)["grade_id"]
        assert "not implemented yet" in text, f"{lab}/{name}: self-check silent on the stub"
        assert "visible checks passed" not in text, f"{lab}/{name}"


WRONG = [(lab, sid) for lab in LABS for sid, rep in students(lab).items() if rep]


@pytest.mark.parametrize("lab,student", WRONG, ids=[f"{lab}:{sid}" for lab, sid in WRONG])
def test_wrong_answer_loses_marks(graded, lab, student):
    (grade_id,) = students(lab)[student]
    tests_of = {
        _nbg(a)["grade_id"]: [_nbg(t)["grade_id"] for t in ts]
        for a, ts, _ in exercises(source_nb(lab))
    }
    grades = graded.grades[lab, student]
    got = sum(grades[t][0] for t in tests_of[grade_id])
    full = sum(grades[t][1] for t in tests_of[grade_id])
    assert got < full, (
        f"{lab}: the wrong answer {student} gets full marks ({got}/{full}) on "
        f"{tests_of[grade_id]}: the tests do not catch it"
    )


# ----------------------------------------------------------------------------------------
# (f) the lab as a student meets it: a solved copy runs in a real Jupyter kernel
# ----------------------------------------------------------------------------------------


def _solved_in_a_kernel(lab: str, folder: Path) -> str | None:
    """Run the solved lab as a student with right answers has it (the release's cells and
    helper files, the visible tests only) in a real kernel; the first error, or None."""
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    shutil.copytree(NOTEBOOKS / "release" / lab, folder, ignore=shutil.ignore_patterns(*CACHES))
    nb = source_nb(lab)
    for cell in nb.cells:
        cell.source = HIDDEN.sub("", cell.source)
    client = NotebookClient(
        nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(folder)}}
    )
    try:
        client.execute()
    except CellExecutionError as e:
        return str(e)[-3000:]
    return None


@pytest.fixture(scope="module")
def kernel_runs(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("kernel")
    with ThreadPoolExecutor(max(1, min(2, os.cpu_count() or 1))) as pool:
        return dict(zip(LABS, pool.map(lambda lab: _solved_in_a_kernel(lab, tmp / lab), LABS)))


@pytest.mark.parametrize("lab", LABS)
def test_solved_lab_runs_in_a_kernel(kernel_runs, lab):
    """The visible tests run in the student's own kernel too (they are graded in the grader,
    where ``student`` is defined; in a notebook they must work without it)."""
    assert kernel_runs[lab] is None, f"{lab}: a cell failed in a real kernel:\n{kernel_runs[lab]}"
