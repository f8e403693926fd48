"""Forbidden shortcuts, found in the submitted source by the grader (never by switches in
the student's own process, which the student controls).

Some labs ask for a derivative or an update written by hand: lab 4's VJPs, lab 5's own
``Tensor``, lab 6's optimizer steps, lab 7's closed forms. Calling ``ad.vjp`` or
``ad.relax.soft_cut`` there would pass the tests without the work. ``FORBIDDEN`` lists, per
lab, the ``autodiff_lite`` names each exercise (its answer cell's grade id, or ``"*"`` for
all) may not use. ``find`` reads the student's code
(every cell but the tests) with ``ast`` and reports:

- a *use*: an attribute chain rooted at a name bound to ``autodiff_lite`` or one of its
  modules (``ad.vjp``, ``ad.relax.soft_cut``, ``m = ad; m.grad``) or a ``from autodiff_lite
  import vjp``; a use inside an answer cell costs that exercise's tests, a use in any other
  cell (a helper) costs every exercise that forbids the name;
- *dynamic code* in a lab with forbidden names (``eval``, ``exec``, ``compile``,
  ``__import__``, ``importlib``, ``inspect``, ``operator.attrgetter``, ``sys.modules``,
  ``globals()``, ``getattr`` or ``__dict__`` on the library):
  it could hide a use, so the submission is flagged for a look by hand (no points taken).

Static reading has limits: code that builds the library's functions out of pieces that are
not the library (copying its source into the notebook, say) is not a *use* of it. Those are
for the instructor's eye; the flags point at where to look.
"""

from __future__ import annotations

import ast

TRANSFORMS = {"vjp", "jvp", "grad", "value_and_grad", "jacfwd", "jacrev", "hessian", "hvp",
              "linearize", "_vjp_flat", "_jvp_flat", "vjp_flat", "jvp_flat", "backward",
              "Tensor"}  # fmt: skip
FORBIDDEN: dict[str, dict[str, set[str]]] = {
    "lab4-array-vjps": {"*": TRANSFORMS | {"unbroadcast", "sum_to", "broadcasting"}},
    "lab5-mini-framework": {
        "*": TRANSFORMS,
        "predict_tape": {"record", "recording", "trace_tables", "graph"},
    },
    "lab6-fitting": {
        "momentum_update": {"optim", "SGD", "Adam", "Momentum"},
        "adam_update": {"optim", "SGD", "Adam", "Momentum"},
        "predict_steps": {"optim", "SGD", "Adam", "grad", "value_and_grad"},
    },
    "lab7-hard-edges": {
        "soft_cut_with_grad": TRANSFORMS | {"soft_cut", "sigmoid", "relax"},
        "reinforce_gradient": TRANSFORMS | {"reinforce_surrogate", "relax"},
        "soft_histogram": {"soft_histogram"},
        "predict_reinforce_variance": TRANSFORMS | {"reinforce_surrogate", "relax"},
    },
    "lab18-bilevel": {"predict_tape_nodes": {"recording", "record", "trace_tables", "graph"}},
    "lab19-build-the-core": {  # Tagged, grad, linearize and transpose: built from scratch
        "*": TRANSFORMS
        | {"recording", "trace_tables", "graph", "REGISTRY", "Primitive", "core"}
        | {"forward", "reverse", "custom_jvp", "custom_vjp", "jacobian", "check_grads"},
    },
}
LIBRARY = "autodiff_lite"
DYNAMIC = {"eval", "exec", "compile", "__import__", "globals", "vars", "locals", "inspect",
           "attrgetter", "methodcaller"}  # fmt: skip
INTROSPECTION = {"__dict__", "__getattribute__", "__getattr__", "__loader__", "__spec__"}


def _parse(source: str):
    try:
        from IPython.core.inputtransformer2 import TransformerManager

        source = TransformerManager().transform_cell(source)
    except Exception:  # noqa: BLE001 - a cell IPython cannot read is read as it is
        pass
    try:
        return ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


def _uses(tree, aliases: set[str], forbidden: set[str]) -> tuple[set[str], bool]:
    """(forbidden names used, whether dynamic code appears) in one cell; ``aliases`` (names
    bound to the library) grows as imports and assignments are seen."""
    used, dynamic = set(), False
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                if a.name.split(".")[0] == LIBRARY:
                    aliases.add(a.asname or LIBRARY)
                if a.name.split(".")[0] == "importlib":
                    dynamic = True
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == LIBRARY:
            for a in node.names:
                if a.name in forbidden or a.name == "*":
                    used.add(a.name)
                aliases.add(a.asname or a.name)
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("importlib"):
            dynamic = True
        elif isinstance(node, ast.Assign) and _root(node.value) in aliases:
            aliases.update(t.id for t in node.targets if isinstance(t, ast.Name))
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in ("attrgetter", "methodcaller"):
            dynamic = True
        if isinstance(node, ast.Attribute):
            # ad.vjp, and the library reached through another module: self_check.ad.vjp
            chain = [*reversed(_chain(node)), ""]
            root = _root(node)
            names = [root, *chain] if root else chain
            reach = [i for i, n in enumerate(names) if n in aliases or n == LIBRARY]
            if reach:
                used |= forbidden.intersection(names[reach[0] + 1 :])
                if set(names[reach[0] + 1 :]) & INTROSPECTION:
                    dynamic = True
        elif isinstance(node, ast.Name) and node.id in DYNAMIC:
            dynamic = True

        elif isinstance(node, ast.Attribute) and node.attr == "modules" and _root(node) == "sys":
            dynamic = True
        elif isinstance(node, ast.Call) and getattr(node.func, "id", None) == "getattr":
            if node.args and _root(node.args[0]) in aliases:
                dynamic = True
    return used, dynamic


def _root(node) -> str | None:
    while isinstance(node, (ast.Attribute, ast.Subscript, ast.Call)):
        node = node.value if not isinstance(node, ast.Call) else node.func
    return node.id if isinstance(node, ast.Name) else None


def _chain(node) -> list[str]:
    names = []
    while isinstance(node, ast.Attribute):
        names.append(node.attr)
        node = node.value
    return names


def find(lab: str, cells: list[tuple[str | None, str]], exercises: dict[str, list[str]]):
    """Check a submission. ``cells`` are (answer grade id or None, source) for every cell of
    the student's code in order (the lab's own locked cells, unchanged, left out: a demo may
    call the library); ``exercises`` maps an answer's grade id to its tests.

    Returns ``(zeroed, notes)``: the test grade ids that score nothing, and the reasons.
    """
    rules = FORBIDDEN.get(lab)
    if not rules:
        return set(), []
    every = set().union(*rules.values())
    aliases: set[str] = {"ad", "anp"}  # bound by the lab's setup cell
    zeroed, notes, dynamic_in = set(), [], []
    for answer, source in cells:
        tree = _parse(source)
        if tree is None:
            continue
        used, dynamic = _uses(tree, aliases, every)
        if dynamic:
            dynamic_in.append(answer or "another cell")
        for name in sorted(used):
            if answer is not None:  # an answer cell: its own exercise, if it forbids the name
                forbids = rules.get(answer, set()) | rules.get("*", set())
                targets = [answer] if name in forbids and answer in exercises else []
            else:  # a cell of the student's own: every exercise that forbids the name
                hit = [a for a, names in rules.items() if name in names]
                targets = [e for a in hit for e in (exercises if a == "*" else [a])]
                targets = [e for e in dict.fromkeys(targets) if e in exercises]
            for ex in targets:
                zeroed.update(exercises[ex])
            if targets:
                where = f"answer {answer!r}" if answer else "a cell of its own"
                notes.append(
                    f"FLAG: uses autodiff_lite's {name} in {where}, where the lab asks for it "
                    f"by hand: no points for {', '.join(sorted(targets))}"
                )
    if dynamic_in:
        notes.append(
            "FLAG: dynamic code (eval, exec, __import__, importlib, inspect, attrgetter, "
            "sys.modules, globals(), getattr or __dict__ on the library) in "
            f"{', '.join(dict.fromkeys(dynamic_in))}: it could hide a forbidden shortcut; "
            "check by hand"
        )
    return zeroed, notes
