"""Report edits to a submission that matter, by comparing it with the released notebook.

Stock nbgrader warns about every hidden-test cell (their checksums differ from the
source by design). Here only real tampering is reported: a locked cell whose text is not
the released text, a graded or answer cell that is missing, or grading metadata that was
changed. :func:`restore` puts the released grading cells back before nbgrader runs, and
:func:`review_flags` reads learner code for attempts to tamper with the kernel.
"""

from __future__ import annotations

import ast

import nbformat

_GRADING_KEYS = ("grade", "solution", "locked", "points", "checksum")


def _by_id(nb: nbformat.NotebookNode) -> dict[str, nbformat.NotebookNode]:
    cells = {}
    for cell in nb.cells:
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if grade_id:
            cells[grade_id] = cell
    return cells


def tampering(released: nbformat.NotebookNode, submitted: nbformat.NotebookNode) -> list[str]:
    """Problems worth telling the instructor about, one line each.

    >>> from nbformat.v4 import new_notebook, new_code_cell
    >>> meta = {"nbgrader": {"grade_id": "t1", "locked": True, "grade": True, "points": 1,
    ...                      "solution": False}}
    >>> rel = new_notebook(cells=[new_code_cell("assert f() == 1", metadata=meta)])
    >>> sub = new_notebook(cells=[new_code_cell("pass", metadata=meta)])
    >>> tampering(rel, sub)
    ['t1: locked cell was edited (restored for grading)']
    >>> tampering(rel, new_notebook(cells=[]))
    ['t1: graded cell was deleted (put back for grading)']
    """
    problems: list[str] = []
    mine = _by_id(submitted)
    for grade_id, cell in _by_id(released).items():
        theirs = mine.get(grade_id)
        meta = cell.metadata["nbgrader"]
        if theirs is None:
            if meta.get("grade") or meta.get("locked"):
                problems.append(f"{grade_id}: graded cell was deleted (put back for grading)")
            elif meta.get("solution"):
                problems.append(f"{grade_id}: answer cell was deleted (put back blank)")
            continue
        their_meta = theirs.get("metadata", {}).get("nbgrader", {})
        changed = [k for k in _GRADING_KEYS if their_meta.get(k) != meta.get(k)]
        if changed:
            problems.append(f"{grade_id}: grading metadata changed ({', '.join(changed)}); "
                            "restored for grading")
        if meta.get("locked") and not meta.get("solution") and theirs.get("source") != cell.source:
            problems.append(f"{grade_id}: locked cell was edited (restored for grading)")
    return problems


def restore(released: nbformat.NotebookNode, submitted: nbformat.NotebookNode
            ) -> nbformat.NotebookNode:
    """A copy of ``submitted`` whose graded cells are the released ones again.

    Every released cell with a ``grade_id`` gets its released grading metadata back
    (points, flags, checksum); a deleted one is put back, blank, after the graded cell
    that precedes it in the release. Grading metadata on cells the release does not have
    (invented or duplicated ids) is dropped. nbgrader then restores locked cells' text from
    the gradebook as usual; without this it gives up on such notebooks altogether.

    >>> from nbformat.v4 import new_notebook, new_code_cell
    >>> meta = {"nbgrader": {"grade_id": "t1", "locked": True, "grade": True, "points": 1,
    ...                      "solution": False}}
    >>> rel = new_notebook(cells=[new_code_cell("assert f() == 1", metadata=meta)])
    >>> restore(rel, new_notebook(cells=[])).cells[0].source
    'assert f() == 1'
    """
    import copy
    import uuid

    wanted = _by_id(released)
    out = copy.deepcopy(submitted)
    seen: set[str] = set()
    for cell in out.cells:
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if grade_id in wanted and grade_id not in seen:
            seen.add(grade_id)
            cell.metadata["nbgrader"] = copy.deepcopy(wanted[grade_id].metadata["nbgrader"])
            cell.cell_type = wanted[grade_id].cell_type
            if cell.cell_type == "code":
                cell.setdefault("outputs", [])
                cell.setdefault("execution_count", None)
            else:
                cell.pop("outputs", None)
                cell.pop("execution_count", None)
        elif "nbgrader" in cell.get("metadata", {}):
            del cell.metadata["nbgrader"]
    position = -1  # index in ``out`` of the last released graded cell placed so far
    for grade_id, cell in wanted.items():
        index = next((i for i, c in enumerate(out.cells)
                      if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") == grade_id),
                     None)
        if index is None:
            index = position + 1
            missing = copy.deepcopy(cell)
            if "id" in missing:  # never clash with an id the learner's cells still use
                missing["id"] = uuid.uuid4().hex[:16]
            out.cells.insert(index, missing)
        position = max(position, index)
    return out


#: Modules whose only use in an answer is to change how cells run or are checked.
_MACHINERY_MODULES = {"IPython", "ipykernel", "builtins", "importlib", "ctypes", "gc",
                      "jupyter_client", "zmq", "traitlets", "nbgrader", "nbclient",
                      "nbformat", "comm"}
#: Names that reach the shell, run hidden code or reach the interpreter's internals.
_MACHINERY_NAMES = {"get_ipython", "exec", "eval", "compile", "__import__", "__builtins__"}
#: Attributes of the kernel, the shell or frames that tests rely on.
_MACHINERY_ATTRS = {"showtraceback", "_showtraceback", "run_cell", "run_cell_async",
                    "run_code", "run_ast_nodes", "do_execute", "ast_transformers",
                    "input_transformers_post", "input_transformers_cleanup", "excepthook",
                    "displayhook", "__builtins__", "__subclasses__", "__globals__", "__code__",
                    "f_globals", "f_builtins", "f_back", "_getframe", "settrace", "setprofile",
                    "modules"}
#: Harmless parts of those modules that notebooks use for display.
_SAFE_IMPORTS = {"IPython.display"}
#: Modules whose attributes an answer has no business setting (``sys.stderr = ...``).
_GUARDED_MODULES = _MACHINERY_MODULES | {"sys", "course"}
#: Strings that spell out the above for ``getattr``/``setattr``.
_MACHINERY_STRINGS = (_MACHINERY_NAMES | _MACHINERY_ATTRS) - {"modules"}
#: An object that equals anything passes every ``==`` test.
_COMPARISON_DUNDERS = {"__eq__", "__ne__"}
#: Magics a learner may use (IPython turns them into ``get_ipython().run_line_magic``).
_SAFE_MAGICS = {"matplotlib", "time", "timeit"}


def _python(source: str) -> str:
    """A cell's text as plain Python (IPython magics become the calls they stand for)."""
    try:
        from IPython.core.inputtransformer2 import TransformerManager

        return TransformerManager().transform_cell(source)
    except Exception:  # a cell IPython cannot transform will not parse either
        return source


def _safe_magic(node: ast.AST) -> bool:
    """What IPython makes of harmless magics and ``!shell`` lines (``get_ipython().system``)."""
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Call)
            and isinstance(node.func.value.func, ast.Name)
            and node.func.value.func.id == "get_ipython" and not node.func.value.args):
        return False
    if node.func.attr in ("system", "getoutput"):
        return True
    return (node.func.attr in ("run_line_magic", "run_cell_magic")
            and bool(node.args) and isinstance(node.args[0], ast.Constant)
            and node.args[0].value in _SAFE_MAGICS)


def _names_used_by_tests(released: nbformat.NotebookNode) -> set[str]:
    """Names the released test cells read that the released answer cells do not define."""
    used: set[str] = set()
    defined: set[str] = set()
    for cell in released.cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if cell.cell_type != "code":
            continue
        try:
            tree = ast.parse(_python(cell.source))
        except SyntaxError:
            continue
        if meta.get("solution"):
            defined |= {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)
                        and isinstance(n.ctx, ast.Store)}
            defined |= {n.name for n in ast.walk(tree)
                        if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)}
        elif meta.get("grade") and meta.get("locked"):
            used |= {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
    return used - defined


def _bound_names(tree: ast.AST) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store | ast.Del):
            names.add(node.id)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.alias):
            names.add((node.asname or node.name).split(".")[0])
    return names


def _cell_findings(tree: ast.AST, protected: set[str]) -> list[str]:
    found: list[str] = []
    modules = {(a.asname or a.name).split(".")[0] for n in ast.walk(tree)
               if isinstance(n, ast.Import | ast.ImportFrom) for a in n.names
               if (a.name if isinstance(n, ast.Import) else n.module or "").split(".")[0]
               in _GUARDED_MODULES
               and (a.name if isinstance(n, ast.Import) else n.module) not in _SAFE_IMPORTS}
    safe = {id(n.func.value.func) for n in ast.walk(tree) if _safe_magic(n)}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) \
                else [node.module or ""]
            found += [f"imports {m}" for m in names
                      if m.split(".")[0] in _MACHINERY_MODULES and m not in _SAFE_IMPORTS]
        elif isinstance(node, ast.Name) and node.id in _MACHINERY_NAMES and id(node) not in safe:
            found.append(f"uses {node.id}")
        elif isinstance(node, ast.Attribute) and node.attr in _MACHINERY_ATTRS:
            found.append(f"uses .{node.attr}")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) \
                and node.value in _MACHINERY_STRINGS:
            found.append(f"names {node.value!r}")
        elif isinstance(node, ast.FunctionDef) and node.name in _COMPARISON_DUNDERS:
            found.append(f"defines {node.name}")
        if isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign | ast.Delete):
            targets = node.targets if isinstance(node, ast.Assign | ast.Delete) \
                else [node.target]
            for target in targets:
                root = target
                while isinstance(root, ast.Attribute | ast.Subscript):
                    root = root.value
                if root is not target and isinstance(root, ast.Name) \
                        and root.id in protected | modules:
                    found.append(f"changes {ast.unparse(target)}"[:60])
    found += [f"redefines {name}" for name in sorted(_bound_names(tree) & protected)]
    return found


#: Findings that only mean "look at this answer": the grader's other checks already keep
#: their effect out of the score (prose is re-scored, locked cells are restored), or they
#: game an answer rather than the kernel. Everything else withholds the test points.
_REVIEW_ONLY = ("redefines ", "defines __", "changes course.", "changes sys.std", "code too deeply")


def review_flags(released: nbformat.NotebookNode,
                 submitted: nbformat.NotebookNode) -> tuple[list[str], bool]:
    """(problem lines, withhold) for learner code that tampers with the kernel or the tests.

    A static (``ast``) reading of every code cell the learner wrote or changed, never
    executed. Reaching the IPython shell or kernel (``get_ipython``, ``run_cell``,
    ``ast_transformers``, ``showtraceback``...), running hidden code (``exec``, ``eval``,
    ``__builtins__``) or importing the notebook machinery or ``builtins`` sets
    ``withhold``: the grader then keeps the notebook's autograded test points at 0 until an
    instructor looks. Redefining names the tests use (``review``, ``AssertionError``,
    builtins) or defining ``__eq__`` is only flagged. It finds the plain and the usual
    obfuscated spellings, not every one: the completion check in
    :mod:`course.grading.fastexec` covers what it misses at run time, and neither is proof
    against an attacker who targets the grader's own code (see SECURITY.md).

    >>> from nbformat.v4 import new_notebook, new_code_cell
    >>> cheat = new_code_cell("get_ipython().showtraceback = lambda *a: None")
    >>> review_flags(new_notebook(cells=[]), new_notebook(cells=[cheat]))[1]
    True
    >>> review_flags(new_notebook(cells=[]), new_notebook(cells=[
    ...     new_code_cell("%matplotlib inline\\ndef f(x):\\n    return 2 * x")]))
    ([], False)
    """
    import builtins

    written = {c.source.strip() for c in released.cells if c.cell_type == "code"}
    used = _names_used_by_tests(released)
    protected = (used & set(dir(builtins))) | {"AssertionError"}
    protected |= {n for c in released.cells if c.cell_type == "code"
                  and not c.get("metadata", {}).get("nbgrader", {}).get("solution")
                  for n in _imported_names(c.source)} & used
    problems: list[str] = []
    withhold = False
    for index, cell in enumerate(submitted.cells, start=1):
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if cell.get("cell_type") != "code" or cell.get("source", "").strip() in written:
            continue
        if meta.get("locked") and not meta.get("solution"):
            continue  # restored from the gradebook before it runs
        try:
            tree = ast.parse(_python(cell.get("source", "")))
        except (SyntaxError, ValueError):
            continue  # it will not run either
        except (RecursionError, MemoryError):
            tree = None
        try:
            findings = ["code too deeply nested to read"] if tree is None \
                else list(dict.fromkeys(_cell_findings(tree, protected)))
        except (RecursionError, MemoryError):
            findings = ["code too deeply nested to read"]
        if not findings:
            continue
        where = meta.get("grade_id") or f"cell {index}"
        more = f" and {len(findings) - 4} more" if len(findings) > 4 else ""
        listed = f"{', '.join(findings[:4])}{more}"
        if all(f.startswith(_REVIEW_ONLY) for f in findings):
            problems.append(f"{where}: flagged for review ({listed})")
        else:
            withhold = True
            problems.append(f"{where}: code that changes how the notebook runs or is checked "
                            f"({listed}); test points withheld until an instructor reviews it")
    return problems, withhold


def _imported_names(source: str) -> set[str]:
    try:
        tree = ast.parse(_python(source))
    except SyntaxError:
        return set()
    return {(a.asname or a.name).split(".")[0] for n in ast.walk(tree)
            if isinstance(n, ast.Import | ast.ImportFrom) for a in n.names}
