"""The stepper in a notebook: a real kernel (ipykernel) runs the cells through nbclient, and the
outputs are read back: each display is an inline stepper with its own ids; a graph still shows as
its diagram."""

import math
import re

import pytest

nbformat = pytest.importorskip("nbformat", reason="nbformat is not installed (pip install -e .[test])")
nbclient = pytest.importorskip("nbclient", reason="nbclient is not installed (pip install -e .[test])")
pytest.importorskip("ipykernel", reason="ipykernel is not installed (pip install -e .[test])")

CELLS = [
    'import graphviz_nn\ns = graphviz_nn.stepper(x=1, w1=0.5, g1="tanh")\ns',
    "s",
    'graphviz_nn.stepper(phase="forward", theme="dark")',
    'from graphviz_nn import Value, trace\nx, w = Value(1.0, label="x"), Value(0.5, label="w", kind="parameter")\n'
    "trace((w * x).tanh())",
]


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    from nbclient import NotebookClient

    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in CELLS])
    folder = tmp_path_factory.mktemp("notebook")
    NotebookClient(
        notebook, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(folder)}}
    ).execute()
    return [cell.outputs for cell in notebook.cells]


def html_of(outputs) -> str:
    shown = [o for o in outputs if o.output_type in ("execute_result", "display_data")]
    assert len(shown) == 1, outputs
    return shown[0].data["text/html"]


def test_each_display_is_an_inline_stepper_of_its_own(executed):
    first, again, dark = (html_of(executed[i]) for i in range(3))
    ids = [re.search(r'<div class="gvnn" id="([^"]+)"', h).group(1) for h in (first, again, dark)]
    assert len(set(ids)) == 3, ids
    for h, uid in zip((first, again, dark), ids, strict=True):
        assert "<script>" in h and f'document.getElementById("{uid}")' in h
        assert re.findall(r'id="([^"]+)"', h) == [uid, f"{uid}-tip", f"{uid}-caption"], "every id is the instance's"
        assert "#ROOT" not in h and h.count(f"#{uid} ") > 10, "the style is scoped to the instance"
        assert "http://" not in h and "https://" not in h
    assert 'data-steps="15"' in first and f"a₁ = tanh(z₁) = tanh(0.500) = {math.tanh(0.5):.3f}" in first
    assert first.replace(ids[0], "") == again.replace(ids[1], ""), "the same stepper shown twice"
    assert 'data-steps="5"' in dark and "--bg:#1b1d23" in dark


def test_a_graph_still_shows_as_its_diagram(executed):
    outputs = [o for o in executed[3] if o.output_type == "execute_result"]
    assert len(outputs) == 1
    assert "image/svg+xml" in outputs[0].data and "gvnn" not in str(outputs[0].data)
