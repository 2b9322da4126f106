"""The shape of crmlab.database: imports run one way, one spelling per operation, plumbing private."""

from __future__ import annotations

import ast
import importlib
import inspect
from pathlib import Path

import pytest

import crmlab.database as database
from crmlab.database import CustomerDatabase

PACKAGE = Path(database.__file__).parent


def _imports(path: Path) -> set[str]:
    """Every crmlab.database module a file imports, at run time or for type checking, anywhere in it."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("crmlab.database"):
            if node.module == "crmlab.database":  # "from crmlab.database import _lapses" names a module
                for alias in node.names:
                    sub = f"crmlab.database.{alias.name}"
                    found.add(sub if (PACKAGE / f"{alias.name}.py").exists() else "crmlab.database")
            else:
                found.add(node.module)
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("crmlab.database")}
    return found


def _graph() -> dict[str, set[str]]:
    graph = {}
    for path in sorted(PACKAGE.glob("*.py")):
        name = "crmlab.database" if path.stem == "__init__" else f"crmlab.database.{path.stem}"
        graph[name] = _imports(path) - {name}
    return graph


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """Return one import cycle of ``graph`` (depth-first search), or None if it is acyclic."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt):], nxt]
            if state.get(nxt) is None and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if state.get(node) is None and (found := visit(node)):
            return found
    return None


def test_the_cycle_finder_finds_a_cycle():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set(), "c": {"a", "b"}}) is None


def test_the_import_graph_of_crmlab_database_has_no_cycle():
    graph = _graph()
    assert len(graph) >= 15  # every module was read
    # only the package itself imports the package (a module importing it would close a loop)
    assert [m for m, deps in graph.items() if "crmlab.database" in deps] == []
    assert _cycle(graph) is None, f"import cycle: {' -> '.join(_cycle(graph))}"


def test_core_imports_only_what_writing_needs():
    reads = {"crmlab.database.alerts", "crmlab.database.views", "crmlab.database.quality",
             "crmlab.database.export", "crmlab.database._reads", "crmlab.database._alert_sql"}
    graph = _graph()
    reachable, todo = set(), ["crmlab.database.core"]
    while todo:
        for dep in graph[todo.pop()]:
            if dep not in reachable:
                reachable.add(dep)
                todo.append(dep)
    assert not reachable & reads


def test_no_module_imports_a_private_name_of_a_public_module():
    for path in PACKAGE.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("crmlab.database."):
                public_module = not node.module.rsplit(".", 1)[1].startswith("_")
                private_names = [a.name for a in node.names if a.name.startswith("_")]
                assert not (public_module and private_names), f"{path.name} imports {private_names} of {node.module}"


@pytest.mark.parametrize("module", sorted(p.stem for p in PACKAGE.glob("*.py") if p.stem != "__init__"))
def test_each_module_imports_on_its_own(module):
    importlib.import_module(f"crmlab.database.{module}")


READS = {"purchase_alerts": ["2024-01-01"], "contact_reminders": ["2024-01-01"],
         "birthday_reminders": ["2024-01-01"], "lapse_history": [], "customer_360": [1], "data_quality_report": [],
         "export_tables": []}


@pytest.mark.parametrize("name", [*READS, "preference_lookup"])
def test_each_read_has_one_spelling_with_a_real_signature(name):
    func = getattr(database, name)
    params = inspect.signature(func).parameters
    assert next(iter(params)) == "db"
    assert not any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values())
    assert not any(hasattr(CustomerDatabase, alias) for alias in (name, name.replace("data_", ""), "export"))
    if name != "lapse_history":  # an old method spelling says where the read went
        old = {"data_quality_report": "quality_report", "export_tables": "export"}.get(name, name)
        with pytest.raises(AttributeError, match=rf"reads are functions of the database, e.g. crmlab.database.{name}"):
            getattr(CustomerDatabase(), old)
    kwargs = {"customer_id": 1} if name == "preference_lookup" else {}
    with pytest.raises(TypeError, match=rf"{name}\(\): 'db' must be a CustomerDatabase"):
        func("crm.sqlite", *READS.get(name, []), **kwargs)


def test_writes_are_methods_only():
    for name in ("import_frame", "import_tables", "import_csv", "import_world"):
        assert callable(getattr(CustomerDatabase, name))
        assert not hasattr(database, name)


def test_plumbing_is_private():
    import crmlab.database.schema as schema

    public = set(database.__all__) | set(schema.__all__)
    for name in ("refresh_sql", "create_triggers", "drop_triggers", "create_schema", "upgrade_schema",
                 "lapse_arrays", "write_rows", "validate_batch"):
        assert name not in public
        assert not hasattr(schema, name)
    assert not (PACKAGE / "lapses.py").exists() and not (PACKAGE / "io.py").exists()
