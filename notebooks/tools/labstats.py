"""What each lab asks of a student, counted from its source: the instructor's overview.

    python notebooks/tools/labstats.py            # a Markdown table, one row per lab

Per lab:

- **points by kind**: *code* (autograded tests of a code exercise), *predict* (an exercise
  whose answer cell's grade id starts with ``predict_``: a number predicted, then measured
  with the library's counters), *written* (a Markdown answer graded by hand in formgrader);
- **student lines**: the lines of code in the solutions (no blanks, no comments): what a
  student writes to earn the points;
- **verbatim**: the share of those lines found word for word (stripped) as a line of the
  book's pages (``book/**/*.md``; lines of 12 characters or more). Copying lesson code
  should not pass a lab: the tests keep it at one line in ten or fewer.
"""

from __future__ import annotations

import functools
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

COURSE = Path(__file__).resolve().parent.parent
ROOT = COURSE.parent
sys.path.insert(0, str(COURSE))
from grader import labsource  # noqa: E402

SOLUTION = re.compile(r"### BEGIN SOLUTION\n(.*?)### END SOLUTION", re.S)
KINDS = ("code", "predict", "written")


def _nbg(cell) -> dict:
    return cell.metadata.get("nbgrader", {})


def kind_of(cell) -> str:
    """The kind of an answer cell: written (Markdown), predict (``predict_``), or code."""
    if cell.cell_type == "markdown":
        return "written"
    return "predict" if _nbg(cell)["grade_id"].startswith("predict_") else "code"


def code_lines(text: str) -> list[str]:
    """The stripped lines of code that count: not blank, not a comment, not a docstring
    line, not a bare ``pass``/``else:``."""
    out, in_doc = [], False
    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith(('"""', "'''")):
            quote = line[:3]
            if not (len(line) > 3 and line.endswith(quote)):
                in_doc = not in_doc
            continue
        if in_doc or not line or line.startswith("#") or line in ("pass", "else:", "try:"):
            continue
        out.append(line)
    return out


@functools.cache
def book_lines() -> set[str]:
    lines = set()
    for page in (ROOT / "book").rglob("*.md"):
        lines.update(line.strip() for line in page.read_text(encoding="utf-8").splitlines())
    return lines


@dataclass
class LabStats:
    lab: str
    points: dict = field(default_factory=lambda: dict.fromkeys(KINDS, 0.0))
    exercises: dict = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    lines: list = field(default_factory=list)  # the solutions' lines of code
    verbatim: list = field(default_factory=list)  # those found in the book

    @property
    def share(self) -> float:
        return len(self.verbatim) / max(1, len(self.lines))


def exercises(nb) -> dict[str, tuple[str, float]]:
    """Each answer cell's grade id, in order, with its kind and its points: a written
    answer's own, or those of the autograded tests after a code answer (up to the next
    answer)."""
    out: dict[str, tuple[str, float]] = {}
    current = None
    for cell in nb.cells:
        meta = _nbg(cell)
        if meta.get("solution"):
            kind = kind_of(cell)
            own = float(meta.get("points", 0)) if kind == "written" else 0.0
            out[meta["grade_id"]] = (kind, own)
            current = None if kind == "written" else meta["grade_id"]
        elif meta.get("grade") and cell.cell_type == "code" and current:
            kind, points = out[current]
            out[current] = (kind, points + float(meta.get("points", 0)))
    return out


def stats(lab: str, book: set[str] | None = None) -> LabStats:
    nb = labsource.read(lab)
    book = book_lines() if book is None else book
    out = LabStats(lab)
    for kind, points in exercises(nb).values():
        out.exercises[kind] += 1
        out.points[kind] += points
    for cell in nb.cells:
        if _nbg(cell).get("solution") and cell.cell_type == "code":
            for region in SOLUTION.findall(cell.source):
                out.lines += code_lines(region)
    # a short line (``return s``) says nothing about copying: only longer ones are looked up
    out.verbatim = [line for line in out.lines if len(line) >= 12 and line in book]
    return out


def table(all_stats: list[LabStats]) -> str:
    rows = [
        "| lab | code | predict | written | total | student lines | verbatim in the book |",
        "|---|---|---|---|---|---|---|",
    ]
    for s in all_stats:
        p = s.points
        rows.append(
            f"| `{s.lab}` | {p['code']:g} | {p['predict']:g} | {p['written']:g} | "
            f"{sum(p.values()):g} | {len(s.lines)} | {s.share:.0%} |"
        )
    return "\n".join(rows)


def main() -> None:
    book = book_lines()
    order = sorted(labsource.labs(), key=lambda lab: int(re.match(r"lab(\d+)", lab).group(1)))
    print(table([stats(lab, book) for lab in order]))


if __name__ == "__main__":
    main()
