"""The architecture of docs/architecture.md, enforced: layers, no import loop, Word XML in one layer,
a light package root, no silent `except`.

Read from the source with `ast`, so a rule broken anywhere in the package fails here, naming the
module and line. The layers below are the table "Layers" of docs/architecture.md; a new module
goes into one of them (the test fails until it does).

Imports inside functions count like imports at the top. In this package a function-level import
is there for speed (a command pays only for what it uses), never to break a loop: a loop through
one is still two modules that need each other, and the day the import moves to the top it is a
crash at start-up. Imports under `if TYPE_CHECKING:` never run and do not count.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "agreement_builder"

#: Bottom to top: a module may import modules of its own layer and of the layers below it.
LAYERS: list[tuple[str, set[str]]] = [
    ("base", {"errors", "version", "formats", "textdiff", "apportionment", "richtext", "workers", "ooxml",
              "loader", "inputs", "templates", "digests", "package", "cache", "pdf", "pack_names", "input_record",
              "yaml_edit"}),
    ("model", {"formulas", "models", "outline", "validate", "wording", "figures", "schema"}),
    ("compute", {"context"}),
    ("documents", {"render", "compose", "template_repair", "template_text", "docmodel", "notice", "workbook",
                   "redline"}),
    ("compare", {"diff", "report", "standard_wording", "absorb", "citations", "amendments", "vary"}),
    ("checks", {"template_rules", "template_check"}),
    ("pack", {"outputs", "manifest", "unchanged", "pack", "pack_pdf", "index_page", "documents", "build", "workspace"}),
    ("commands", {"cli", "start", "_help", "__main__", ""}),  # "": the package root, which only re-exports
]

#: The only modules that write Word XML (DESIGN.md §7: only the render/compose code touches docx XML):
#: the names and literal-text writers, the renderer and composer, the package writer, the repair of a
#: template as read, and the redline (which writes w:ins/w:del into every story).
WORD_WRITERS = {"ooxml", "render", "compose", "package", "template_repair", "redline"}
#: The writers of ooxml.py that turn data into Word XML.
from agreement_builder.ooxml import WRITERS  # noqa: E402

#: Heavy libraries `import agreement_builder` must not load (a command pays for what it uses).
HEAVY = ("pydantic", "docxtpl", "docx", "lxml", "jinja2", "yaml", "click", "rich", "openpyxl", "pikepdf", "rapidfuzz")


def _name(path: Path) -> str:
    """Return a module's name inside the package ("diff.data", "" for the root)."""
    parts = list(path.relative_to(PACKAGE).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


@cache
def modules() -> dict[str, Path]:
    return {_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


@cache
def tree(name: str) -> ast.Module:
    return ast.parse(modules()[name].read_text(encoding="utf-8"))


def _type_checking(node: ast.AST) -> bool:
    test = getattr(node, "test", None)
    return isinstance(node, ast.If) and (
        (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING")
        or (isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"))


def _walk(node: ast.AST):
    """Yield the nodes under `node` that run (not the bodies of `if TYPE_CHECKING:`)."""
    for child in ast.iter_child_nodes(node):
        if _type_checking(child):
            for other in child.orelse:
                yield other
                yield from _walk(other)
            continue
        yield child
        yield from _walk(child)


@cache
def imports(name: str) -> dict[str, int]:
    """Return the package modules `name` imports (at any level), with the line of the first import."""
    known = modules()
    is_package = modules()[name].name == "__init__.py"
    here = name.split(".") if name else []
    if not is_package:
        here = here[:-1]
    found: dict[str, int] = {}
    for node in _walk(tree(name)):
        targets: list[str] = []
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = here[: len(here) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            elif node.module and node.module.split(".")[0] == "agreement_builder":
                module = node.module.partition(".")[2] if "." in node.module else ""
            else:
                continue
            for alias in node.names:
                sub = f"{module}.{alias.name}" if module else alias.name
                targets.append(sub if sub in known else module)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "agreement_builder":
                    targets.append(alias.name.partition(".")[2])
        for target in targets:
            if target != name and target in known:
                found.setdefault(target, node.lineno)
    return found


def layer_of(name: str) -> int:
    top = name.split(".")[0]
    for n, (_, members) in enumerate(LAYERS):
        if top in members:
            return n
    raise AssertionError(f"agreement_builder/{name or '__init__'}: in no layer of tests/test_architecture.py "
                         "(add it to LAYERS and to docs/architecture.md)")


def _where(name: str, line: int) -> str:
    return f"{modules()[name].relative_to(ROOT)}:{line}"


# ---------------------------------------------------------------------------- (a) no import loop


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Return the strongly connected components of more than one module (Tarjan, iteratively)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []
    counter = 0
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on.add(root)
        while work:
            v, children = work[-1]
            for w_ in children:
                if w_ not in index:
                    index[w_] = low[w_] = counter
                    counter += 1
                    stack.append(w_)
                    on.add(w_)
                    work.append((w_, iter(sorted(graph[w_]))))
                    break
                if w_ in on:
                    low[v] = min(low[v], index[w_])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[v])
                if low[v] == index[v]:
                    component = []
                    while True:
                        w_ = stack.pop()
                        on.discard(w_)
                        component.append(w_)
                        if w_ == v:
                            break
                    if len(component) > 1:
                        out.append(sorted(component))
    return out


def test_no_import_loop():
    """No two modules need each other, through any chain, at the top or inside functions.

    A subpackage's `__init__` is left out of the graph: importing `agreement_builder.diff.data`
    runs `diff/__init__.py` first whatever it imports, so an edge to it says nothing about design.
    """
    packages = {n for n, p in modules().items() if p.name == "__init__.py"}
    graph = {n: {m for m in imports(n) if m not in packages} for n in modules() if n not in packages}
    loops = _cycles(graph)
    assert not loops, "import loops: " + "; ".join(" <-> ".join(c) for c in loops)


def test_the_cycle_finder_finds_a_loop():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


# ---------------------------------------------------------------------------- (d) layers


def test_every_module_imports_only_its_own_layer_and_below():
    wrong = []
    for name in modules():
        mine = layer_of(name)
        for target, line in imports(name).items():
            if layer_of(target) > mine:
                wrong.append(f"{_where(name, line)}: {name or '__init__'} ({LAYERS[mine][0]}) imports "
                             f"{target or 'the package root'} ({LAYERS[layer_of(target)][0]})")
    assert not wrong, "\n".join(wrong)


def test_no_module_imports_the_package_root():
    """The root re-exports the library's entry points (lazily); nothing inside the package leans on it."""
    wrong = [f"{_where(n, line)}: {n} imports the package root" for n in modules() if n
             for target, line in imports(n).items() if target == ""]
    assert not wrong, "\n".join(wrong)


def test_the_layers_table_of_the_docs_matches():
    """docs/architecture.md lists each layer with the modules in it, as here."""
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    for layer, members in LAYERS:
        row = next((line for line in text.splitlines() if line.startswith(f"| {layer} |")), None)
        assert row is not None, f"docs/architecture.md: no row for the layer `{layer}`"
        listed = set(re.findall(r"`([a-z_]+)(?:\.py|/)?`", row.split("|")[2]))
        expected = {m or "__init__" for m in members}
        assert listed == expected, f"layer {layer}: docs list {sorted(listed)}, the test {sorted(expected)}"


def test_the_import_finder_reads_relative_and_lazy_imports():
    assert "validate" in imports("render")  # top level
    assert "template_repair" in imports("render")  # inside a function
    assert "redline.session" not in imports("redline.blocks")  # under TYPE_CHECKING only
    assert "diff.changeset" in imports("diff.data")


# ---------------------------------------------------------------------------- (b) Word XML in one layer


def _word_xml(name: str) -> list[str]:
    """Return where module `name` writes Word XML: literal `<w:` markup, lxml elements made, ooxml writers called."""
    found = []
    for node in _walk(tree(name)):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and re.search(r"<w:[A-Za-z]", node.value):
            found.append(f"{_where(name, node.lineno)}: Word XML as text ({node.value[:30]!r})")
        elif isinstance(node, ast.Call):
            func = node.func
            called = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
            if called in ("Element", "SubElement", "makeelement", "ElementMaker"):
                found.append(f"{_where(name, node.lineno)}: makes an XML element ({called})")
            elif called in WRITERS:
                found.append(f"{_where(name, node.lineno)}: calls the Word XML writer {called}")
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.endswith("ooxml"):
            for alias in node.names:
                if alias.name in WRITERS:
                    found.append(f"{_where(name, node.lineno)}: imports the Word XML writer {alias.name}")
    return found


def test_only_the_render_compose_layer_writes_word_xml():
    outside = [hit for name in modules() if name.split(".")[0] not in WORD_WRITERS for hit in _word_xml(name)]
    assert not outside, "Word XML outside the render/compose layer:\n" + "\n".join(outside)


def test_the_word_xml_finder_sees_each_form(tmp_path):
    """The rule above would pass vacuously if the finder saw nothing: it sees each form in the writers."""
    seen = {name: _word_xml(name) for name in ("compose", "ooxml", "render", "redline.marks")}
    assert any("as text" in h for h in seen["compose"])
    assert any("makes an XML element" in h for h in seen["redline.marks"])
    assert any("writer" in h for h in seen["render"])


# ---------------------------------------------------------------------------- (c) a light package root


@pytest.mark.parametrize("statement", ["import agreement_builder", "import agreement_builder.errors",
                                       "from agreement_builder.start import main"])
def test_importing_the_package_loads_nothing_heavy(statement):
    code = f"import sys; {statement}; print(' '.join(sorted(m for m in sys.modules)))"
    loaded = set(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                                cwd=ROOT).stdout.split())
    heavy = sorted(m for m in loaded if m.split(".")[0] in HEAVY)
    assert not heavy, f"`{statement}` loads {heavy}"
    assert "agreement_builder.validate" not in loaded


def test_the_lazy_entry_points_still_work():
    import agreement_builder

    assert callable(agreement_builder.load_agreement)
    assert agreement_builder.__version__ == __import__("agreement_builder.version").version.__version__
    with pytest.raises(AttributeError):
        agreement_builder.no_such_thing  # noqa: B018


# ---------------------------------------------------------------------------- who may print, exit, read YAML


def _imports_library(name: str, library: str) -> int | None:
    for node in _walk(tree(name)):
        if isinstance(node, ast.Import) and any(a.name.split(".")[0] == library for a in node.names):
            return node.lineno
        if isinstance(node, ast.ImportFrom) and not node.level and (node.module or "").split(".")[0] == library:
            return node.lineno
    return None


@pytest.mark.parametrize("library, allowed", [("yaml", {"loader"}), ("click", {"cli"})])
def test_one_module_imports_each_boundary_library(library, allowed):
    wrong = [f"{_where(n, line)}: imports {library}" for n in modules() if n not in allowed
             if (line := _imports_library(n, library)) is not None]
    assert not wrong, "\n".join(wrong)


def test_only_the_command_line_prints_or_exits():
    wrong = []
    for name in modules():
        if name in ("cli", "start", "__main__"):  # the command line
            continue
        for node in _walk(tree(name)):
            if isinstance(node, ast.Call):
                func = node.func
                if isinstance(func, ast.Name) and func.id in ("print", "exit", "quit"):
                    wrong.append(f"{_where(name, node.lineno)}: {func.id}()")
                elif isinstance(func, ast.Attribute) and func.attr == "exit" and \
                        isinstance(func.value, ast.Name) and func.value.id == "sys":
                    wrong.append(f"{_where(name, node.lineno)}: sys.exit()")
    assert not wrong, "\n".join(wrong)


# ---------------------------------------------------------------------------- no silent except


def _does_nothing(body: list[ast.stmt]) -> bool:
    """Return whether a handler's body only passes, continues, or returns a constant or nothing."""
    for stmt in body:
        if isinstance(stmt, (ast.Pass, ast.Continue, ast.Break)):
            continue
        if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant):
            continue
        if isinstance(stmt, ast.Return) and (stmt.value is None or isinstance(stmt.value, ast.Constant)
                                             or (isinstance(stmt.value, (ast.List, ast.Dict, ast.Set, ast.Tuple))
                                                 and not getattr(stmt.value, "elts", getattr(stmt.value, "keys", [])))):
            continue
        return False
    return True


def _broad(handler: ast.ExceptHandler) -> bool:
    kinds = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    return any(k is None or (isinstance(k, ast.Name) and k.id in ("Exception", "BaseException")) for k in kinds)


def _said_why(lines: list[str], handler: ast.ExceptHandler) -> bool:
    """Return whether the handler carries a comment: on its `except` line or on the lines of its body."""
    last = max(getattr(s, "end_lineno", s.lineno) for s in handler.body)
    return any("#" in lines[n - 1] for n in range(handler.lineno, last + 1))


def test_no_silent_except():
    """A handler that swallows an error names the errors it expects and says why, in a comment; a bare
    `except:` never appears; one catching Exception or BaseException re-raises or reports it."""
    wrong = []
    for name in modules():
        lines = modules()[name].read_text(encoding="utf-8").splitlines()
        for node in _walk(tree(name)):
            if not isinstance(node, ast.ExceptHandler):
                continue
            where = _where(name, node.lineno)
            reraises = any(isinstance(n, ast.Raise) for s in node.body for n in ast.walk(s))
            if node.type is None:
                wrong.append(f"{where}: bare except")
            elif _broad(node) and not reraises and (_does_nothing(node.body) or not _said_why(lines, node)):
                wrong.append(f"{where}: catches every exception without re-raising, or without saying where it goes")
            elif _does_nothing(node.body) and not _said_why(lines, node):
                wrong.append(f"{where}: swallows {ast.unparse(node.type)} without saying why (a comment)")
    assert not wrong, "\n".join(wrong)
