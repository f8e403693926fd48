"""Plausible wrong answers to the lab exercises: each one must lose marks when graded.

Format (keep it this simple)::

    WRONG_ANSWERS[lab][grade_id] = "replacement source"          # one mistake
    WRONG_ANSWERS[lab][grade_id] = ["source 1", "source 2", ...]  # several mistakes

``lab`` is the lab id (``lab1-finite-differences``), ``grade_id`` the grade id of an
"Autograded answer" cell, and each source is the whole text of that cell as a student might
write it, with one classic mistake. For a long cell,
``solution_with(lab, grade_id, old, new)`` gives the solution with one piece of text changed
(and fails loudly if that text is not there). Say in a comment which mistake it is.

``tests/test_labs.py`` submits the lab's source notebook with only that cell replaced (one
pretend student per mistake, all graded together) and checks that the exercise's
"Autograded tests" cells (those after the answer cell, up to the next answer cell) score
less than full marks. Every answer cell of every lab in ``notebooks/source/`` needs at least
one entry.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "notebooks"))
from grader import labsource  # noqa: E402


def solution_with(lab: str, grade_id: str, old: str, new: str) -> str:
    """The source of answer cell ``grade_id`` of ``lab``, with ``old`` replaced by ``new``."""
    for cell in labsource.read(lab).cells:
        if cell.metadata["nbgrader"]["grade_id"] == grade_id:
            text = cell.source
            if old not in text:
                raise ValueError(f"{lab}/{grade_id}: {old!r} is not in the solution")
            return text.replace(old, new)
    raise ValueError(f"{lab} has no cell {grade_id!r}")


WRONG_ANSWERS: dict[str, dict[str, str | list[str]]] = {}


# Each lab keeps its wrong answers in a file of its own,
# ``tests/wrong_answers/<lab id with _ for ->.py``, which defines ``LAB`` (the lab id) and
# ``WRONG`` (a dict in the format above) and may import ``solution_with`` from here.
def _load_per_lab_files() -> None:
    import importlib.util

    for path in sorted((Path(__file__).resolve().parent / "wrong_answers").glob("*.py")):
        spec = importlib.util.spec_from_file_location(f"wrong_answers_{path.stem}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        if module.LAB in WRONG_ANSWERS:
            raise ValueError(f"{path.name}: wrong answers for {module.LAB} are defined twice")
        WRONG_ANSWERS[module.LAB] = module.WRONG


_load_per_lab_files()
