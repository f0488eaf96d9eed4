"""The tree shows the architecture: the data path runs one way.

Problem -> derivatives -> oracle -> method run -> result -> store -> report. Every module of the
package has a place on that path (``LAYERS``); a module imports only modules at its own place or
further up the path (imports inside functions included, ``if TYPE_CHECKING`` blocks excepted), the
renderers import nothing from the derivative or run layers, and the imports form no circle. The one
documented exception is ``Problem.oracle``, the shorthand users and the README rely on.

Also here: each shared idea exists once (the did-you-mean lookup, the validators, the variant list).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "workbench"

#: Place on the data path, by module (a package's modules by prefix, the longest prefix wins).
LAYERS: dict[str, int] = {
    # 0: shared vocabulary, imports nothing above it
    "workbench.validation": 0, "workbench.variants": 0, "workbench.cost": 0, "workbench.table": 0,
    "workbench.output": 0, "workbench.processes": 0, "workbench.schedules": 0, "workbench.expressions": 0,
    "workbench.lesson.plan": 0, "workbench.report.training_plan": 0, "workbench.reproducibility": 0,
    # 1: the declaration
    "workbench.problem": 1, "workbench.discovery": 1, "workbench.structure": 1, "workbench.data": 1,
    "workbench.library": 1,
    # 2: derivatives, compiled callables, finite differences, the compiled model
    "workbench.symbolic": 2, "workbench.compile": 2, "workbench.finite_difference": 2, "workbench.richardson": 2,
    "workbench.templates": 2, "workbench.structured": 2, "workbench.model": 2,
    # 3: the counted oracle
    "workbench.oracle": 3,
    # 4: the methods
    "workbench.methods": 4,
    # 5: running one method, its result and verdict, the derivative check
    "workbench.trace": 5, "workbench.verdict": 5, "workbench.monitor": 5, "workbench.runner": 5,
    "workbench.batches": 5, "workbench.accuracy": 5,
    # 6: the store
    "workbench.store": 6,
    # 7: many runs: studies, workers, progress, what the report and the lesson run
    "workbench.study": 7, "workbench.parallel": 7, "workbench.progress": 7, "workbench.report.prepare": 7,
    "workbench.lesson.runs": 7, "workbench.lesson.problems": 7, "workbench.report.training_runs": 7,
    # 8: rendering, from the store only
    "workbench.report": 8, "workbench.lesson": 8,
    # 9: orchestration: commands and the writers that run, then render
    "workbench.cli": 9, "workbench.lesson.page": 9, "workbench": 9,
}  # fmt: skip
#: Packages whose __init__ sits elsewhere than their modules: the lesson's write_lesson runs, then renders.
PACKAGE_INITS = {"workbench": 9, "workbench.lesson": 9, "workbench.report": 8}
RENDER = 8
#: Layers a renderer may import: the vocabulary, the declaration's vocabulary, the store, renderers.
RENDER_MAY_IMPORT = {0, 6, 8}
#: The documented upward import: Problem.oracle, a lazy shorthand.
ALLOWED = {("workbench.problem", "workbench.oracle")}


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def layer(module: str) -> int:
    if module in PACKAGE_INITS:
        return PACKAGE_INITS[module]
    best = max((name for name in LAYERS if module == name or module.startswith(name + ".")), key=len)
    return LAYERS[best]


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    skipped: set[int] = set()
    for node in ast.walk(tree):  # imports under `if TYPE_CHECKING:` are for annotations only
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skipped |= {id(child) for child in ast.walk(node)}
    found = set()
    module = _module_name(path)
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name.startswith("workbench")}
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative import
                base = module.rsplit(".", node.level - (1 if path.name == "__init__.py" else 0))[0]
                name = f"{base}.{node.module}" if node.module else base
            else:
                name = node.module or ""
            if name.startswith("workbench"):
                # `from workbench import x`: x may be a module of the package
                for alias in node.names:
                    candidate = f"{name}.{alias.name}"
                    found.add(candidate if (PACKAGE.parent / (candidate.replace(".", "/") + ".py")).exists()
                              or (PACKAGE.parent / candidate.replace(".", "/")).is_dir() else name)  # fmt: skip
    return {name for name in found if name != module}


MODULES = {_module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def _sources() -> dict[str, str]:
    return {module: path.read_text() for module, path in MODULES.items()}


GRAPH = {module: _imports(path) for module, path in MODULES.items()}


def test_every_module_has_a_place():
    for module in MODULES:
        layer(module)  # raises ValueError (empty max) for a module no layer covers


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_import_runs_back_up_the_data_path(module):
    here = layer(module)
    for imported in sorted(GRAPH[module]):
        if (module, imported) in ALLOWED or imported == "workbench":
            continue
        there = layer(imported)
        if here == RENDER:
            assert there in RENDER_MAY_IMPORT, f"renderer {module} imports {imported} (layer {there})"
        else:
            assert there <= here, f"{module} (layer {here}) imports {imported} (layer {there}), further down the path"


def test_the_imports_form_no_circle():
    graph = {m: {i for i in imports if i in MODULES and (m, i) not in ALLOWED} for m, imports in GRAPH.items()}
    state: dict[str, int] = {}

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for child in graph[node]:
            if state.get(child) == 1:
                cycle = path[path.index(child):] + [child] if child in path else [node, child]
                pytest.fail(f"import circle: {' -> '.join(cycle)}")
            if child not in state:
                visit(child, [*path, child])
        state[node] = 2

    for module in graph:
        if module not in state:
            visit(module, [module])


def test_renderers_call_no_oracle_and_compile_nothing():
    for module, text in _sources().items():
        if layer(module) == RENDER:
            assert ".oracle(" not in text and "compile_model" not in text, module


def test_the_problem_module_imports_nothing_above_it_but_the_oracle_shorthand():
    upward = {i for i in GRAPH["workbench.problem"] if layer(i) > 1}
    assert upward == {"workbench.oracle"}


def test_the_did_you_mean_lookup_exists_once():
    users = sorted(m for m, text in _sources().items() if "get_close_matches" in text or "import difflib" in text)
    assert users == ["workbench.validation"]


def test_the_real_number_validator_exists_once():
    pattern = "isinstance(value, numbers.Real)"
    users = sorted(m for m, text in _sources().items() if pattern in text)
    assert users == ["workbench.validation"]


def test_the_variant_list_exists_once():
    literal = '"fd-forward", "fd-central", "complex-step"'
    users = sorted(m for m, text in _sources().items() if literal in text)
    assert users == ["workbench.variants"]


def test_the_empty_run_result_is_built_in_one_place():
    users = sorted(m for m, text in _sources().items() if "claimed_success=False" in text)
    assert users == ["workbench.trace"]
