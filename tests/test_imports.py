"""What the code of assistant/, index/ and eval/ imports, read from its AST (imports inside functions
count too; only ``if TYPE_CHECKING:`` blocks are skipped, they never run):

* the module graph has no cycle, index/ never imports assistant/ or eval/, assistant/ never eval/;
* every third-party module imported is declared in a requirements*.txt file, and every requirement
  of requirements.txt is imported somewhere (or allowed below, with the reason).
"""
from __future__ import annotations

import ast
import importlib.metadata as md
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("assistant", "index", "eval")
# Declared in requirements.txt but imported by no module of ours, and why they are needed anyway.
RUNTIME_ONLY = {
    "transformers": "sentence-transformers' model code runs on it; pinned to the version its pin works with",
    "onnx": "torch.onnx.export needs it to write the ONNX export of the embedding model",
}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for pkg in PACKAGES for p in sorted((ROOT / pkg).rglob("*.py"))}


class _Imports(ast.NodeVisitor):
    def __init__(self, module: str, is_package: bool):
        self.package = module if is_package else module.rpartition(".")[0]
        self.found: list[str] = []  # dotted names, relative imports resolved; "from a import b" → "a.b"

    def visit_If(self, node: ast.If) -> None:
        test = node.test
        if (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
                isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"):
            for child in node.orelse:
                self.visit(child)
        else:
            self.generic_visit(node)

    def visit_Import(self, node: ast.Import) -> None:
        self.found += [a.name for a in node.names]

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        base = node.module or ""
        if node.level:
            parent = self.package.split(".")[: len(self.package.split(".")) - node.level + 1]
            base = ".".join(parent + ([node.module] if node.module else []))
        self.found += [base] + [f"{base}.{a.name}" for a in node.names]


def imports(module: str) -> list[str]:
    path = MODULES[module]
    visitor = _Imports(module, path.name == "__init__.py")
    visitor.visit(ast.parse(path.read_text("utf-8")))
    return visitor.found


def _own_target(name: str) -> str | None:
    """The module of ours a dotted import name lands on (its longest prefix that is one of ours)."""
    parts = name.split(".")
    for i in range(len(parts), 0, -1):
        if ".".join(parts[:i]) in MODULES:
            return ".".join(parts[:i])
    return None


def graph() -> dict[str, set[str]]:
    return {m: {t for t in map(_own_target, imports(m)) if t and t != m} for m in MODULES}


def cycles(g: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in sorted(g[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(g):
        if v not in index:
            visit(v)
    return out


def test_the_walker_sees_imports_inside_functions_and_relative_ones():
    assert len(MODULES) > 50
    g = graph()
    assert "eval.agreement" in g["eval.runner"]  # imported inside run()
    assert "index.components.word" in g["index.load"]  # imported lazily, inside a function
    assert "assistant.drafting.model" not in g["assistant.drafting.export"]  # under TYPE_CHECKING only
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_import_cycles():
    found = cycles(graph())
    assert not found, "import cycles: " + "; ".join(" ↔ ".join(c) for c in found)


def test_layers():
    g = graph()
    wrong = [(m, t) for m, targets in g.items() for t in targets
             if (m.startswith("index") and t.split(".")[0] in ("assistant", "eval"))
             or (m.startswith("assistant") and t.startswith("eval"))]
    assert not wrong, wrong


# ------------------------------------------------------------------ dependencies

def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def requirements(path: Path) -> set[str]:
    names = set()
    for line in path.read_text("utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line and not line.startswith("-"):
            names.add(_canonical(re.split(r"[\[=<>!~;\s]", line, maxsplit=1)[0]))
    return names


def third_party_modules() -> dict[str, list[str]]:
    """Top-level third-party module → our modules importing it."""
    out: dict[str, list[str]] = {}
    for m in MODULES:
        for name in imports(m):
            top = name.split(".")[0]
            if top and top not in sys.stdlib_module_names and top not in PACKAGES and top != "__future__":
                out.setdefault(top, []).append(m)
    return out


def test_every_import_is_declared_and_every_requirement_imported():
    dists_of = md.packages_distributions()
    declared = set().union(*(requirements(p) for p in ROOT.glob("requirements*.txt")))
    imported_dists: set[str] = set()
    problems = []
    for top, users in sorted(third_party_modules().items()):
        dists = {_canonical(d) for d in dists_of.get(top, [])}
        if not dists:
            problems.append(f"{top} (imported by {users[0]}) belongs to no installed distribution")
        elif not dists & declared:
            problems.append(f"{top} (imported by {users[0]}) comes from {sorted(dists)}, in no requirements*.txt")
        imported_dists |= dists
    for name in sorted(requirements(ROOT / "requirements.txt") - imported_dists - set(RUNTIME_ONLY)):
        problems.append(f"{name} is in requirements.txt but no module of {', '.join(PACKAGES)} imports it")
    assert not problems, "\n".join(problems)
    assert "scipy" in imported_dists and "rank-bm25" not in declared
