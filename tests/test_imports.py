"""The module map: no import cycle among graphviz_nn's modules (imports inside functions count), and a
command line whose help loads none of the heavy libraries."""

import ast
import json
import subprocess
import sys
from pathlib import Path

import networkx as nx

import graphviz_nn

PACKAGE = Path(graphviz_nn.__file__).parent
HEAVY = ("networkx", "graphviz", "sympy", "PIL", "pypdf")


def modules() -> dict[str, Path]:
    """Dotted name → file, for every module of the package (a package is its __init__)."""
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = ["graphviz_nn", *path.relative_to(PACKAGE).with_suffix("").parts]
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def imports(name: str, path: Path, known: set[str]) -> set[str]:
    """The package's modules that `name` imports anywhere in its file, relative imports resolved;
    `from . import x` means module x if there is one, else a name from the package's __init__."""
    is_package = path.name == "__init__.py"
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".") if is_package else name.split(".")[:-1]
                base = base[: len(base) - (node.level - 1)]
                origin = ".".join(base + ([node.module] if node.module else []))
            else:
                origin = node.module
            targets = [
                f"{origin}.{alias.name}" if f"{origin}.{alias.name}" in known else origin for alias in node.names
            ]
        else:
            continue
        for target in targets:
            while target and target not in known:  # `import graphviz_nn.x.y` where y is a name
                target = target.rpartition(".")[0]
            if target:
                found.add(target)
    return found - {name}


def import_graph() -> nx.DiGraph:
    table = modules()
    g = nx.DiGraph()
    g.add_nodes_from(table)
    for name, path in table.items():
        g.add_edges_from((name, target) for target in imports(name, path, set(table)))
    return g


def test_the_import_reader_sees_relative_and_nested_imports():
    g = import_graph()
    assert len(g) > 20 and g.number_of_edges() > 40
    assert g.has_edge("graphviz_nn.__main__", "graphviz_nn.cli")  # from .cli import run
    assert g.has_edge("graphviz_nn.engine", "graphviz_nn.ops")  # from . import ops
    assert g.has_edge("graphviz_nn.cli", "graphviz_nn.selection")  # inside a function
    assert g.has_edge("graphviz_nn.expr", "graphviz_nn.errors")  # from .errors import NNError


def test_no_import_cycle():
    cycles = sorted(nx.simple_cycles(import_graph()), key=len)
    assert not cycles, "import cycles: " + "; ".join(" → ".join([*c, c[0]]) for c in cycles[:10])


def test_only_main_imports_the_command_line_and_no_output_imports_another():
    g = import_graph()
    assert set(g.predecessors("graphviz_nn.cli")) <= {"graphviz_nn.__main__"}
    outputs = {n for n in g if n.startswith("graphviz_nn.outputs.")}
    for name in outputs:
        assert not set(g.successors(name)) & outputs, f"{name} imports {sorted(set(g.successors(name)) & outputs)}"


# Runs the command line with --help as `python -m graphviz_nn --help` does (its __main__ imports
# only cli, then runs `main` and leaves), then every command's -h in the same process, noting after
# each which heavy libraries have been loaded.
HELP_PROBE = """
import json, sys
from graphviz_nn.cli import main

def run(args):
    try:
        main(args, prog_name="graphviz-nn")
    except SystemExit:
        pass
    return sorted(m for m in HEAVY if m in sys.modules)

seen = {"--help": run(["--help"])}
for name in sorted(main.commands):
    seen[name + " -h"] = run([name, "-h"])
print(json.dumps(seen), file=sys.stderr)
"""


def test_help_imports_nothing_heavy():
    done = subprocess.run(
        [sys.executable, "-c", f"HEAVY = {HEAVY!r}\n{HELP_PROBE}"], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0 and "Usage: graphviz-nn [OPTIONS] COMMAND" in done.stdout, done.stderr
    seen = json.loads(done.stderr)
    assert len(seen) > 5 and "render -h" in seen
    assert {args: loaded for args, loaded in seen.items() if loaded} == {}
