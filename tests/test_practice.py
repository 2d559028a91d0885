"""Worksheets and marking: variants, their answers against an independent autograd and the exercise's
closed forms, `check` on right, slipped and malformed answer files, and worksheets that are the same
bytes for the same seed, with no gradient on the student's sheet and every one in the key."""

import io
import json
import math
import shutil
import subprocess

import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from graphviz_nn import marking, notation, practice
from graphviz_nn.cli import main
from graphviz_nn.errors import NNError

# -- an autograd written here from scratch, sharing nothing with the engine ----------------------


class V:
    """A scalar that records how it was made; `backward` fills `grad` on everything upstream."""

    def __init__(self, value, parents=()):
        self.value, self.parents, self.grad = float(value), parents, 0.0  # parents: (V, ∂self/∂parent)

    def __mul__(self, other):
        return V(self.value * other.value, ((self, other.value), (other, self.value)))

    def __add__(self, other):
        return V(self.value + other.value, ((self, 1.0), (other, 1.0)))

    def __sub__(self, other):
        return V(self.value - other.value, ((self, 1.0), (other, -1.0)))

    def scale(self, c):
        return V(c * self.value, ((self, c),))

    def exp(self):
        e = math.exp(self.value)
        return V(e, ((self, e),))

    def log(self):
        return V(math.log(self.value), ((self, 1 / self.value),))

    def square(self):
        return V(self.value**2, ((self, 2 * self.value),))

    def relu(self):
        return V(max(self.value, 0.0), ((self, 1.0 if self.value > 0 else 0.0),))

    def backward(self):
        order, seen = [], set()

        def visit(v):
            if id(v) not in seen:
                seen.add(id(v))
                for p, _ in v.parents:
                    visit(p)
                order.append(v)

        visit(self)
        self.grad = 1.0
        for v in reversed(order):
            for p, d in v.parents:
                p.grad += v.grad * d


ONE = V(1.0)


def sigmoid(z):
    return ONE.scale(1.0) * reciprocal(ONE + z.scale(-1.0).exp())


def reciprocal(v):
    return V(1 / v.value, ((v, -1 / v.value**2),))


ACTIVATION = {
    "sigmoid": sigmoid,
    "tanh": lambda z: (z.scale(2.0).exp() - ONE) * reciprocal(z.scale(2.0).exp() + ONE),
    "relu": V.relu,
    "softplus": lambda z: (ONE + z.exp()).log(),
    "identity": lambda z: z.scale(1.0),
}
LOSS = {
    "quadratic": lambda a, y: (a - y).square().scale(0.5),
    "cross_entropy": lambda a, y: (y * a.log() + (ONE - y) * (ONE - a).log()).scale(-1.0),
}


def autograd(network):
    """Every answer of the exercise's network by the autograd: each node a leaf of its own for the
    local derivatives, then the whole chain for the gradients."""
    x, y, w1, w2 = (V(network[k]) for k in ("x", "y", "w1", "w2"))
    z1 = w1 * x
    a1 = ACTIVATION[network["g1"]](z1)
    z2 = w2 * a1
    a2 = ACTIVATION[network["g2"]](z2)
    loss = LOSS[network["loss"]](a2, y)
    loss.backward()
    nodes = {"x": x, "w1": w1, "z1": z1, "a1": a1, "w2": w2, "z2": z2, "a2": a2, "y": y, "loss": loss}

    def local(fn, at):
        leaf = V(at)
        out = fn(leaf)
        out.backward()
        return leaf.grad

    g1, g2, lossf = ACTIVATION[network["g1"]], ACTIVATION[network["g2"]], LOSS[network["loss"]]
    locals_ = {
        "a2->loss": local(lambda a: lossf(a, V(y.value)), a2.value),
        "z2->a2": local(g2, z2.value),
        "w2->z2": local(lambda w: w * V(a1.value), w2.value),
        "a1->z2": local(lambda a: V(w2.value) * a, a1.value),
        "z1->a1": local(g1, z1.value),
        "w1->z1": local(lambda w: w * V(x.value), w1.value),
        "x->z1": local(lambda v: V(w1.value) * v, x.value),
    }
    return {
        "values": {n: v.value for n, v in nodes.items()},
        "locals": locals_,
        "gradients": {n: nodes[n].grad for n in ("a2", "z2", "w2", "a1", "z1", "w1", "x")},
        "update": {p: network[p] - network["alpha"] * nodes[p].grad for p in ("w1", "w2")},
    }


def close(a, b):
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)


def same_answers(ours, theirs):
    assert {k: set(v) for k, v in ours.items()} == {k: set(v) for k, v in theirs.items()}
    for section, numbers in theirs.items():
        for key, value in numbers.items():
            assert close(ours[section][key], value), (section, key, ours[section][key], value)


# -- variants -----------------------------------------------------------------------------------


def test_variants_are_fixed_by_their_id_alone():
    five = practice.variants(7, 5)
    assert [v.id for v in five] == [f"7-{n}" for n in range(1, 6)]
    assert practice.variants(7, 5) == five
    assert practice.variant(7, 4) == five[3]  # not drawn after the first three
    assert practice.from_id("7-4") == five[3]
    assert [v.network for v in practice.variants(8, 5)] != [v.network for v in five]
    drawn = practice.from_id("7-r2")
    assert drawn.id == "7-r2" and drawn == practice.variant(7, 2, random_activations=True)


def test_a_variant_id_can_be_read_back_or_is_refused():
    assert practice.parse_id(" 12-r3 ") == (12, True, 3)
    for bad in ("7", "7-0", "7-201", "x-1", "7-3-1", "-1-2", "7_3", 7):
        with pytest.raises(NNError, match="variant id"):
            practice.parse_id(bad)


@pytest.mark.parametrize("bad", [0, 201, -1, True, 2.0])
def test_variant_counts_are_bounded(bad):
    with pytest.raises(NNError, match="variants"):
        practice.variants(1, bad)


def test_variant_numbers_work_by_hand():
    tenths = {round(k / 10, 1) for k in range(-20, 21)}
    for v in practice.variants(3, 60) + practice.variants(4, 60, random_activations=True):
        net, g = v.network, v.graph()
        assert {net["x"], net["w1"], net["w2"]} <= tenths and net["y"] in (0.0, 1.0)
        assert net["alpha"] in practice.ALPHAS
        for z in ("z1", "z2"):
            assert practice.MIN_Z <= abs(g.nodes[z]["value"]) <= practice.MAX_Z  # nothing saturated
        answers = practice.answers(g)
        assert all(abs(v) >= 1e-3 for v in [*answers["locals"].values(), *answers["gradients"].values()])


def test_drawn_activations_come_from_the_lists():
    seen = {
        (v.network["g1"], v.network["g2"], v.network["loss"]) for v in practice.variants(5, 40, random_activations=True)
    }
    assert {g1 for g1, _, _ in seen} == set(practice.RANDOM_G1)
    assert {g2 for _, g2, _ in seen} == {"sigmoid"}
    assert {loss for _, _, loss in seen} == set(practice.RANDOM_LOSS)


@pytest.mark.parametrize("g1", ["sigmoid", "tanh", "relu", "softplus", "identity"])
@pytest.mark.parametrize("loss", ["quadratic", "cross_entropy"])
def test_answers_match_an_independent_autograd(g1, loss):
    for v in practice.variants(11, 4, g1=g1, loss=loss):
        same_answers(practice.answers(v.graph()), autograd(v.network))


def test_answers_match_the_exercises_closed_forms():
    for v in practice.variants(2, 10):
        n, a = v.network, practice.answers(v.graph())
        a1, a2 = a["values"]["a1"], a["values"]["a2"]
        dw2 = (a2 - n["y"]) * a2 * (1 - a2) * a1  # part 4
        dw1 = (a2 - n["y"]) * a2 * (1 - a2) * n["w2"] * a1 * (1 - a1) * n["x"]  # part 6
        assert close(a["gradients"]["w2"], dw2) and close(a["gradients"]["w1"], dw1)
        assert close(a["update"]["w1"], n["w1"] - n["alpha"] * dw1)  # part 7
        assert close(a["values"]["loss"], 0.5 * (a2 - n["y"]) ** 2)


def test_questions_follow_the_variants_functions():
    net = practice.variant(1, 1, g1="tanh", loss="cross_entropy").network
    questions = practice.questions(net)
    assert len(questions) == 7
    assert "1 − g(z)²" in questions[3] and "ln" in questions[3]
    assert "∂Loss/∂w₂" in questions[2] and "∂Loss/∂w₁" in questions[4]


# -- check: reading and marking ------------------------------------------------------------------

DEFAULT = {"x": 1.0, "y": 1.0, "w1": 0.5, "w2": -1.2, "g1": "sigmoid", "g2": "sigmoid", "loss": "quadratic"}
TRUTH = autograd({**DEFAULT, "alpha": 0.5})


def toml(answers: dict, header: str = "") -> str:
    lines = [header] if header else []
    for section, numbers in answers.items():
        lines.append(f"[{section}]")
        lines += [f'"{k}" = {v!r}' for k, v in numbers.items()]
    return "\n".join(lines) + "\n"


def run_check(tmp_path, text, *args):
    path = tmp_path / "answers.toml"
    path.write_text(text, encoding="utf-8")
    return CliRunner().invoke(main, ["check", str(path), *args], catch_exceptions=False)


def test_all_right_exits_0(tmp_path):
    result = run_check(tmp_path, toml(TRUTH), "--json")
    data = json.loads(result.stdout)
    assert result.exit_code == 0, result.output
    assert data["first_wrong"] is None and data["correct"] == data["total"] == sum(map(len, TRUTH.values()))
    assert all(set(i) == {"kind", "id", "given", "expected", "correct"} for i in data["items"])


def test_one_sign_slip_is_the_first_wrong(tmp_path):
    slipped = json.loads(json.dumps(TRUTH))
    slipped["gradients"]["z1"] *= -1
    result = run_check(tmp_path, toml(slipped), "--json")
    data = json.loads(result.stdout)
    assert result.exit_code == 1
    assert (data["first_wrong"]["kind"], data["first_wrong"]["id"]) == ("gradients", "z1")
    assert data["first_wrong"]["slip"] == "sign flipped"
    assert data["correct"] == data["total"] - 1


def test_a_forward_slip_comes_before_a_backward_one(tmp_path):
    slipped = json.loads(json.dumps(TRUTH))
    slipped["gradients"]["w2"] *= 1.1
    slipped["values"]["a2"] += 0.05  # listed after the gradients in the file, computed before them
    result = run_check(tmp_path, toml({k: slipped[k] for k in ("gradients", "values")}), "--json")
    assert result.exit_code == 1
    assert json.loads(result.stdout)["first_wrong"]["id"] == "a2"


def test_the_report_names_the_first_wrong_with_its_chain_rule_line(tmp_path):
    result = run_check(tmp_path, "[values]\nz1 = 0.5\n[gradients]\nw2 = 0.0921\n[update]\nw1 = 0.479\n")
    assert result.exit_code == 1
    assert "2 of 3 right" in result.stdout
    assert "∂Loss/∂w₂ = ∂Loss/∂z₂ · ∂z₂/∂w₂ = (−0.148) · 0.622 = −0.0921" in result.stdout
    assert "likely slip: sign flipped" in result.stdout


@pytest.mark.parametrize(
    ("entry", "slip"),
    [
        ("[values]\nz2 = -0.6", "z₁ used where a₁ was meant"),  # w2·z1 = −1.2·0.5
        ("[values]\na1 = 0.5", "the activation left out"),
        ("[gradients]\nw2 = -0.4224", "the activation's derivative left out (∂a₂/∂z₂ = 0.218)"),
        ("[gradients]\nw1 = -0.03478", "a factor of the chain left out (∂z₂/∂a₁ = −1.2)"),
        ("[gradients]\nw2 = -0.0740", "z₁ used where a₁ was meant (in ∂z₂/∂w₂)"),
        ("[update]\nw1 = 0.4583", "off by α"),
        ("[update]\nw1 = 0.5209", "sign flipped"),
        ("[gradients]\nw1 = 0.02087", "off by α"),
    ],
)
def test_likely_slips_are_named(tmp_path, entry, slip):
    data = json.loads(run_check(tmp_path, entry + "\n", "--json").stdout)
    assert data["first_wrong"]["slip"].startswith(slip), data["first_wrong"]


def test_any_graph_can_be_marked_and_a_missing_path_is_named(tmp_path):
    # tied-weights: ∂Loss/∂w = (−0.0585 through z₂) + (−0.0145 through z₁)
    data = json.loads(run_check(tmp_path, "[gradients]\nw = -0.0585\n", "--example", "tied-weights", "--json").stdout)
    assert data["first_wrong"]["slip"] == "the path through z₁ left out of the sum"
    assert math.isclose(data["first_wrong"]["expected"], -0.0585 - 0.0145, abs_tol=1e-4)


def test_precision_is_read_from_the_written_text():
    g = practice.Variant("x", 0, 1, {**DEFAULT, "alpha": 0.5}).graph()  # a1 = 0.62246

    def right(text):
        return marking.mark(g, marking.loads(f"[values]\na1 = {text}\n")).items[0].correct

    assert right("0.6") and right("0.62") and right("0.622") and right("6.2e-1")
    assert not right("0.600") and not right("0.60") and not right("0.63")  # 0.60 is not 0.6 here
    assert right("0.6197")  # within 0.5 %, though not to its last digit
    text = "[values]\na1 = 0.600\n"
    assert not marking.mark(g, marking.loads(text), percent=0).items[0].correct
    assert marking.mark(g, marking.loads(text), percent=4).items[0].correct


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[values]\nz9 = 1\n", "[values] has no node 'z9' (the network's nodes: x, w1, z1"),
        ('[locals]\n"z1->z2" = 1\n', "[locals] has no edge 'z1->z2'"),
        ("[update]\nz1 = 1\n", "[update] has no parameter 'z1' (the network's parameters: w1, w2)"),
        ('[values]\nz1 = "half"\n', "[values] 'z1' is not a number ('half')"),
        ("[values]\nz1 = true\n", "is not a number"),
        ("[values]\nz1 = nan\n", "is not a number"),
        ("[answers]\nz1 = 1\n", "unknown table or key 'answers' (allowed: [values], [locals]"),
        ("values = 3\n", "values must be a table"),
        ("[values\nz1 = 1\n", "is not valid TOML"),
        ("title = 'mine'\n", "unknown table or key 'title'"),
        ("", "gives no numbers"),
        ('variant = "7"\n[values]\nz1 = 1\n', "variant id '7' is not SEED-N"),
        ("[network]\nx = 1\nz = 2\n[values]\nz1 = 1\n", "[network] has no key 'z'"),
        ('[network]\ng1 = "sigmod"\n[values]\nz1 = 1\n', "unknown activation 'sigmod'"),
    ],
)
def test_a_bad_file_is_one_error_line_and_exit_2(tmp_path, text, message):
    result = run_check(tmp_path, text, "-o", str(tmp_path / "marked.png"))
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ") and message in lines[0], lines
    assert not (tmp_path / "marked.png").exists()


def test_unreadable_files_are_one_error_line(tmp_path):
    result = CliRunner().invoke(main, ["check", str(tmp_path / "missing.toml")])
    assert (
        result.exit_code == 2 and result.stderr.startswith("Error: answers file") and "does not exist" in result.stderr
    )
    result = CliRunner().invoke(main, ["check", "/dev/zero"])  # endless: refused, not read
    assert result.exit_code == 2 and "not a regular file" in result.stderr
    (tmp_path / "latin.toml").write_bytes("[values]\nz1 = 0.5 # é\n".encode("latin-1"))
    result = CliRunner().invoke(main, ["check", str(tmp_path / "latin.toml")])
    assert result.exit_code == 2 and "not UTF-8" in result.stderr


def test_network_from_the_file_the_options_or_a_variant(tmp_path):
    v = practice.variant(9, 2)
    right = autograd(v.network)
    text = toml({"gradients": right["gradients"]})
    assert run_check(tmp_path, f'variant = "9-2"\n{text}').exit_code == 0
    assert run_check(tmp_path, text, "--variant", "9-2").exit_code == 0
    table = "[network]\n" + "\n".join(f"{k} = {json.dumps(val)}" for k, val in v.network.items()) + "\n"
    assert run_check(tmp_path, table + text).exit_code == 0
    numbers = [f"--{k}={v.network[k]}" for k in ("x", "y", "w1", "w2", "alpha")]
    assert run_check(tmp_path, text, *numbers).exit_code == 0
    assert run_check(tmp_path, text).exit_code == 1  # the exercise's defaults: other numbers
    assert run_check(tmp_path, f'variant = "9-2"\n{table}{text}').exit_code == 0  # agreeing: fine
    assert run_check(tmp_path, text, "--variant", "9-2", *numbers).exit_code == 0
    clash = run_check(tmp_path, f'variant = "9-2"\n{text}', "--x", "2")
    assert clash.exit_code == 2 and "the options give x = 2.0, but variant 9-2 has x = " in clash.stderr
    clash = run_check(tmp_path, f'variant = "9-2"\n{table.replace("sigmoid", "tanh", 1)}{text}')
    assert clash.exit_code == 2 and "[network] give" in clash.stderr
    clash = run_check(tmp_path, text, "--variant", "9-2", "--example", "chain")
    assert clash.exit_code == 2 and "--example names another graph" in clash.stderr
    clash = run_check(tmp_path, table + text, "--w1", "2")
    assert clash.exit_code == 2 and "[network] table and --w1" in clash.stderr
    clash = run_check(tmp_path, f'variant = "9-2"\n{text}', "--variant", "9-3")
    assert clash.exit_code == 2 and "differ" in clash.stderr


def test_marked_diagram_shows_each_given_number(tmp_path):
    text = '[values]\nz1 = 0.5\n[gradients]\nw1 = -0.0417\n[locals]\n"z1->a1" = 0.235\n'
    result = run_check(tmp_path, text, "-o", str(tmp_path / "marked.svg"))
    assert result.exit_code == 1 and "wrote" in result.stdout
    svg = (tmp_path / "marked.svg").read_text(encoding="utf-8")
    assert svg.count("✓") == 2 and svg.count("✗") == 1 and "yours: −0.0417" in svg
    assert "Likely slip: sign flipped" in svg
    png = run_check(tmp_path, text, "-o", str(tmp_path / "marked.png"))
    assert png.exit_code == 1 and (tmp_path / "marked.png").read_bytes()[:4] == b"\x89PNG"


# -- worksheets -----------------------------------------------------------------------------------


def pdf_text(data: bytes) -> list[str]:
    """Each page's text: pdftotext (poppler) when installed, else pypdf."""
    if shutil.which("pdftotext"):
        out = subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True, check=True).stdout
        return out.decode().split("\f")[:-1]
    return [p.extract_text() for p in PdfReader(io.BytesIO(data)).pages]


@pytest.fixture(scope="module")
def sheets(tmp_path_factory):
    """Two variants made twice with seed 5 and once with seed 6: (json, sheet, key, dot, dot key) each."""
    folder = tmp_path_factory.mktemp("sheets")
    made = []
    for run, seed in enumerate((5, 5, 6)):
        files = [folder / f"{run}-{name}" for name in ("sheet.pdf", "key.pdf", "sheet.dot", "key.dot")]
        args = ["worksheet", "--variants", "2", "--seed", str(seed), "--json"]
        result = CliRunner().invoke(main, [*args, "-o", str(files[0]), "--key", str(files[1])], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        dots = CliRunner().invoke(main, [*args, "-o", str(files[2]), "--key", str(files[3])], catch_exceptions=False)
        assert dots.stdout == result.stdout
        made.append((json.loads(result.stdout), *(f.read_bytes() for f in files)))
    return made


def test_same_seed_same_bytes_other_seed_other_bytes(sheets):
    first, again, other = sheets
    for a, b, c in zip(first, again, other, strict=True):
        assert a == b
        assert a != c


def test_worksheet_json_matches_the_autograd(sheets):
    data = sheets[0][0]
    assert data["seed"] == 5 and [v["id"] for v in data["variants"]] == ["5-1", "5-2"]
    for variant in data["variants"]:
        assert list(variant["network"]) == ["x", "y", "w1", "w2", "g1", "g2", "loss", "alpha"]
        assert list(variant["answers"]) == ["values", "locals", "gradients", "update"]
        same_answers(variant["answers"], autograd(variant["network"]))


def test_sheets_hold_no_gradient_and_keys_hold_them_all(sheets):
    data, sheet, key = sheets[0][:3]
    sheet_pages, key_pages = pdf_text(sheet), pdf_text(key)
    assert len(sheet_pages) == len(key_pages) == 4
    for i, variant in enumerate(data["variants"]):
        on_sheet = "".join(sheet_pages[2 * i : 2 * i + 2])
        in_key = "".join(key_pages[2 * i : 2 * i + 2])
        for value in variant["answers"]["gradients"].values():
            shown = notation.number(value)
            assert shown.lstrip(notation.MINUS) not in on_sheet
            assert shown in in_key
        for page in sheet_pages[2 * i : 2 * i + 2] + key_pages[2 * i : 2 * i + 2]:
            assert f"variant {variant['id']}" in page and "seed 5" in page


def test_worksheet_pdfs_are_a4_with_fixed_dates(sheets):
    for data in sheets[0][1:3]:
        reader = PdfReader(io.BytesIO(data))
        assert reader.metadata["/CreationDate"] == "D:20000101000000Z"
        for page in reader.pages:
            assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (595, 842)


def test_a_variants_own_answers_are_all_right(sheets, tmp_path):
    for variant in sheets[0][0]["variants"]:
        result = run_check(tmp_path, toml(variant["answers"], f'variant = "{variant["id"]}"'), "--json")
        data = json.loads(result.stdout)
        assert result.exit_code == 0 and data["correct"] == data["total"] > 20


def test_the_keys_answers_file_is_marked_all_right(tmp_path):
    from graphviz_nn.outputs import worksheet
    from graphviz_nn.texts import Texts

    for v in practice.variants(6, 3, random_activations=True):
        text = worksheet.answers_toml(v, Texts(v.graph()))
        result = run_check(tmp_path, text, "--json")
        data = json.loads(result.stdout)
        assert result.exit_code == 0 and data["correct"] == data["total"] == 25, result.stdout
        assert f'variant = "{v.id}"' in text and "-" in text and notation.MINUS not in text


def test_blank_chooses_what_the_sheet_asks(tmp_path):
    path = tmp_path / "sheet.pdf"
    args = ["worksheet", "--seed", "5", "--blank", "values,update", "-o", str(path), "--key", str(tmp_path / "k.pdf")]
    assert CliRunner().invoke(main, args).exit_code == 0
    text = "".join(pdf_text(path.read_bytes())[:2])
    graph = practice.variant(5, 1).graph()
    assert notation.number(graph.nodes["z1"]["grad"]) in text  # gradients shown
    assert notation.number(graph.nodes["z2"]["value"]) not in text  # values to fill in


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--variants", "0"], "from 1 to 200"),
        (["--variants", "201"], "from 1 to 200"),
        (["--seed", "-1"], "seed must be"),
        (["--blank", "values,weights"], "--blank 'weights' is not a kind of answer"),
        (["--g1", "sigmod"], "unknown activation 'sigmod'"),
        (["--random-activations", "--g1", "tanh"], "--random-activations draws g1"),
        (["-o", "sheet.png"], "cannot tell the format"),
        (["-o", "same.pdf", "--key", "same.pdf"], "name the same file"),
    ],
)
def test_worksheet_refuses_bad_options_with_one_line(tmp_path, monkeypatch, args, message):
    monkeypatch.chdir(tmp_path)  # where the default output/ would go
    result = CliRunner().invoke(main, ["worksheet", *args], catch_exceptions=False)
    assert result.exit_code == 2 and message in result.stderr and len(result.stderr.splitlines()) == 1
    assert not list(tmp_path.iterdir())
