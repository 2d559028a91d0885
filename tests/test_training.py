"""`train` and `gradients`: gradient descent against loops written from scratch here (closed-form
gradients for the exercise, central finite differences for a spec), divergence, datasets, frames,
and the same bytes for the same input."""

import io
import json
import math

import pytest
from helpers import run
from PIL import Image
from pypdf import PdfReader

from graphviz_nn import engine, examples, graph, training, training_frames
from graphviz_nn.errors import NNError
from graphviz_nn.outputs import plots

SMALL = "480x270"  # frames small enough to keep the tests quick


def close(a, b, rel=1e-9):
    return math.isclose(a, b, rel_tol=rel, abs_tol=1e-15)


# -- an independent gradient descent for the exercise: closed forms, written here from scratch ------------

ACT = {  # activation and its derivative from the activation's output or input
    "sigmoid": (lambda z: 1 / (1 + math.exp(-z)), lambda z, a: a * (1 - a)),
    "tanh": (math.tanh, lambda z, a: 1 - a * a),
    "identity": (lambda z: z, lambda z, a: 1.0),
}
LOSS = {  # loss and ∂Loss/∂a₂
    "quadratic": (lambda a, y: (a - y) ** 2 / 2, lambda a, y: a - y),
    "cross_entropy": (
        lambda a, y: -(y * math.log(a) + (1 - y) * math.log(1 - a)),
        lambda a, y: (a - y) / (a * (1 - a)),
    ),
}


def exercise_loss_and_grads(w1, w2, x, y, g1="sigmoid", g2="sigmoid", loss="quadratic"):
    (f1, d1), (f2, d2), (fl, dl) = ACT[g1], ACT[g2], LOSS[loss]
    z1 = w1 * x
    a1 = f1(z1)
    z2 = w2 * a1
    a2 = f2(z2)
    delta2 = dl(a2, y) * d2(z2, a2)  # ∂Loss/∂z₂
    return fl(a2, y), delta2 * a1, delta2 * w2 * d1(z1, a1) * x


def descend(w1, w2, alpha, steps, points, **acts):
    """[(w1, w2, loss, ∂/∂w1, ∂/∂w2)] for the start and each step; loss and gradients are means."""
    out = []
    for k in range(steps + 1):
        each = [exercise_loss_and_grads(w1, w2, x, y, **acts) for x, y in points]
        loss, g2, g1 = (sum(v[i] for v in each) / len(each) for i in range(3))
        out.append((w1, w2, loss, g1, g2))
        if k < steps:
            w1, w2 = w1 - alpha * g1, w2 - alpha * g2
    return out


def assert_matches(states, expected, rel=1e-9):
    assert len(states) == len(expected)
    for state, (w1, w2, loss, g1, g2) in zip(states, expected, strict=True):
        got = (state.weights["w1"], state.weights["w2"], state.loss, state.grads["w1"], state.grads["w2"])
        for a, b in zip(got, (w1, w2, loss, g1, g2), strict=True):
            assert close(a, b, rel), (state.step, got, (w1, w2, loss, g1, g2))


@pytest.mark.parametrize(
    ("g1", "g2", "loss", "alpha"),
    [
        ("sigmoid", "sigmoid", "quadratic", 0.5),
        ("tanh", "sigmoid", "cross_entropy", 0.3),
        ("tanh", "tanh", "quadratic", 1),
    ],
)
def test_every_step_matches_closed_form_descent(g1, g2, loss, alpha):
    structure = graph.seed_network(x=1.5, y=0.8, w1=0.4, w2=-0.9, g1=g1, g2=g2, loss=loss, alpha=alpha)
    run_ = training.train(structure, 30)
    expected = descend(0.4, -0.9, alpha, 30, [(1.5, 0.8)], g1=g1, g2=g2, loss=loss)
    assert_matches(run_.states, expected)
    assert run_.diverged is None
    assert run_.states[-1].loss < run_.states[0].loss


def test_train_json_and_gif_frames_on_the_exercise(tmp_path):
    out = tmp_path / "train.gif"
    result = run("train", "--steps", "25", "--json", "-o", str(out), "--size", SMALL)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)  # the "wrote" line goes to stderr: stdout is the JSON alone
    expected = descend(0.5, -1.2, 0.5, 25, [(1.0, 1.0)])
    assert [s["step"] for s in data["steps"]] == list(range(26))
    for entry, (w1, w2, loss, g1, g2) in zip(data["steps"], expected, strict=True):
        assert close(entry["w1"], w1) and close(entry["w2"], w2) and close(entry["loss"], loss), entry
        assert close(entry["gradient"]["w1"], g1) and close(entry["gradient"]["w2"], g2)
    assert data["diverged"] is None and data["alpha"] == 0.5
    with Image.open(out) as gif:
        assert gif.n_frames == 26  # the start and one frame per step
        assert gif.size == (480, 270)


def test_dataset_mean_loss_and_gradients(tmp_path):
    csv = tmp_path / "points.csv"
    points = [(-2.0, 0.0), (-0.5, 0.0), (0.5, 1.0), (2.0, 1.0), (1.0, 0.7)]
    csv.write_text("x,y\n" + "".join(f"{x},{y}\n" for x, y in points))
    assert training.read_dataset(csv) == points
    run_ = training.train(graph.seed_network(alpha=2.0), 12, points)
    assert_matches(run_.states, descend(0.5, -1.2, 2.0, 12, points))
    # ... and the CLI says the same
    result = run("train", "--steps", "12", "--alpha", "2", "--dataset", str(csv), "--json")
    data = json.loads(result.stdout)
    assert data["points"] == 5
    assert [e["loss"] for e in data["steps"]] == [s.loss for s in run_.states]


def numeric_loss(weights, x1=2.0, x2=0.0, y=1.0):
    """The two-input neuron, written out: ½(tanh(x1·w1 + x2·w2 + b) − y)²."""
    return (math.tanh(x1 * weights["w1"] + x2 * weights["w2"] + weights["b"]) - y) ** 2 / 2


def test_spec_matches_finite_difference_descent():
    structure = examples.load("two-input-neuron")
    alpha = structure.graph["alpha"]
    run_ = training.train(structure, 8)
    weights = {"w1": -3.0, "w2": 1.0, "b": 6.881373587019543}
    for state in run_.states:
        assert state.weights == pytest.approx(weights, rel=1e-7)
        assert state.loss == pytest.approx(numeric_loss(weights), rel=1e-9)
        grads = {}
        for p in weights:
            h = 1e-6
            up, down = dict(weights, **{p: weights[p] + h}), dict(weights, **{p: weights[p] - h})
            grads[p] = (numeric_loss(up) - numeric_loss(down)) / (2 * h)
            assert state.grads[p] == pytest.approx(grads[p], rel=1e-6, abs=1e-9)
        weights = {p: weights[p] - alpha * grads[p] for p in weights}


def test_spec_json_has_every_parameter_by_id():
    data = json.loads(run("train", "--example", "2-2-1", "--steps", "2", "--json").stdout)
    ids = ["w11", "w21", "b1", "w12", "w22", "b2", "v1", "v2", "c"]
    assert data["parameters"] == ids
    assert all(set(ids) <= set(entry) and set(entry["gradient"]) == set(ids) for entry in data["steps"])


def test_divergence_by_growth_stops_with_a_message(tmp_path):
    structure = graph.seed_network(g1="identity", g2="identity", alpha=3.0)
    run_ = training.train(structure, 50)
    assert run_.diverged and run_.diverged.startswith("diverged at step ")
    assert "α = 3" in run_.diverged and len(run_.states) < 51
    assert abs(run_.states[-1].loss) > training.GROWTH * max(run_.states[0].loss, 1)
    assert all(abs(s.loss) <= training.GROWTH * max(run_.states[0].loss, 1) for s in run_.states[:-1])
    out = tmp_path / "d.gif"
    cmd = ["train", "--g1", "identity", "--g2", "identity", "--alpha", "3", "--steps", "50", "--size", SMALL]
    result = run(*cmd, "--json", "-o", str(out))
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["diverged"] == run_.diverged and len(data["steps"]) == len(run_.states)
    prepared = training_frames.prepare(run_, size=(480, 270))
    assert prepared.captions[-1][-1].startswith("Diverged at step")
    with Image.open(out) as gif:
        assert gif.n_frames == len(run_.states)


def test_divergence_by_overflow_is_not_a_traceback():
    run_ = training.train(graph.seed_network(g1="identity", g2="identity", alpha=1e308), 5)
    assert run_.diverged.startswith("diverged at step 1:") and "overflows" in run_.diverged
    assert len(run_.states) == 1
    result = run("train", "--g1", "identity", "--g2", "identity", "--alpha", "1e308", "--steps", "5", "--json")
    assert result.exit_code == 0 and "Traceback" not in result.output
    assert json.loads(result.stdout)["diverged"] == run_.diverged


def test_long_runs_sample_frames_but_keep_every_step(tmp_path):
    out = tmp_path / "long.gif"
    result = run("train", "--steps", "100", "--frames", "7", "--json", "-o", str(out), "--size", SMALL)
    assert len(json.loads(result.stdout)["steps"]) == 101
    with Image.open(out) as gif:
        assert gif.n_frames == 7
    assert training_frames.sample(101, 7) == [0, 17, 33, 50, 67, 83, 100]


def test_pdf_pages_and_same_bytes_every_time(tmp_path):
    paths = [tmp_path / "a.pdf", tmp_path / "b.pdf"]
    for path in paths:
        assert run("train", "--steps", "2", "-o", str(path), "--size", SMALL).exit_code == 0
    assert paths[0].read_bytes() == paths[1].read_bytes()
    pages = PdfReader(paths[0]).pages
    assert len(pages) == 3
    assert {(float(p.mediabox.width), float(p.mediabox.height)) for p in pages} == {(480.0, 270.0)}
    assert "Step 1 of 2" in pages[1].extract_text()


def test_frames_same_size_and_deterministic():
    run_ = training.train(graph.seed_network(), 4)
    first, second = (training_frames.draw(training_frames.prepare(run_, size=(480, 270)), "png") for _ in range(2))
    assert first == second
    assert {Image.open(io.BytesIO(png)).size for png in first} == {(480, 270)}
    assert len(set(first)) == len(first)  # every frame differs: the numbers move


@pytest.mark.parametrize(("example", "layers"), [("tied-weights", None), ("chain", 3)])
def test_one_weight_and_many_weights_draw_too(example, layers):
    """One weight: the loss against it; three: each weight against the step, named at its line's end."""
    run_ = training.train(examples.load(example, layers), 3)
    pngs = training_frames.draw(training_frames.prepare(run_, size=(480, 270), max_frames=3), "png")
    assert len(pngs) == 3 and len(set(pngs)) == 3
    assert {Image.open(io.BytesIO(png)).size for png in pngs} == {(480, 270)}


def test_dataset_on_a_chain_fits_its_last_activation():
    run_ = training.train(examples.load("chain", 3), 2, [(0.0, 0.5), (1.0, 0.9)])
    assert training.prediction(run_.graph) == "a3"
    xs = [0.0, 1.0]
    for x, fit in zip(xs, training.fitted(run_, 2, xs), strict=True):
        g = training.with_weights(run_.graph, run_.states[2].weights)
        g.nodes["x"]["value"] = x
        assert close(engine.propagate(g).nodes["a3"]["value"], fit)


def test_dataset_frames_are_the_plots_with_a_caption(tmp_path):
    csv = tmp_path / "p.csv"
    csv.write_text("y,x\n0,-1\n1,1\n")  # columns in any order
    out = tmp_path / "fit.gif"
    result = run("train", "--dataset", str(csv), "--steps", "3", "-o", str(out), "--size", SMALL)
    assert result.exit_code == 0, result.output
    with Image.open(out) as gif:
        assert gif.n_frames == 4 and gif.size == (480, 270)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a,b\n1,2\n", "must name the columns x and y"),
        ("x,y\n", "no data rows"),
        ("x,y\n1,2\n3\n", "row 3: expected 2 values, got 1"),
        ("x,y\n1,two\n", "row 2: y = 'two' is not a number"),
        ("x,y\nnan,1\n", "row 2: x = 'nan' is not a finite number"),
        ("x,y\n" + "1,1\n" * (training.MAX_POINTS + 1), f"more than {training.MAX_POINTS} points"),
    ],
)
def test_bad_datasets_give_one_error_line(tmp_path, text, message):
    csv = tmp_path / "bad.csv"
    csv.write_text(text)
    out = tmp_path / "never.gif"
    result = run("train", "--dataset", str(csv), "--steps", "2", "-o", str(out))
    assert result.exit_code == 2 and message in result.output, result.output
    assert result.output.count("\n") == 1 and result.output.startswith("Error: ")
    assert not out.exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--steps", "0"], "--steps must be a whole number from 1 to 1000"),
        (["--steps", "1001"], "--steps must be a whole number from 1 to 1000"),
        (["-o", "t.mp4"], "cannot tell the format"),
        (["--x", "2", "--dataset", "d.csv"], "--x comes from the dataset"),
        (["--example", "micrograd-readme", "--dataset", "d.csv"], "--dataset needs a network with an input x"),
        (["--duration", "5"], "--duration 5"),
        (["--size", "10x10"], "out of range"),
    ],
)
def test_bad_options_give_one_error_line(tmp_path, monkeypatch, args, message):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "d.csv").write_text("x,y\n1,1\n")
    result = run("train", *args)
    assert result.exit_code == 2 and message in result.output, result.output
    assert result.output.count("\n") == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["d.csv"]


def test_json_refuses_a_parameter_named_like_a_key(tmp_path):
    spec = tmp_path / "s.toml"
    spec.write_text('output = "out"\n[parameters]\nstep = 1.0\n[nodes]\nout = "step * step"\n')
    result = run("train", "--spec", str(spec), "--steps", "2", "--json")
    assert result.exit_code == 2 and "a parameter is named 'step'" in result.output


# -- the loss surface and the vanishing-gradient numbers --------------------------------------------------


def test_surface_is_the_engines_loss():
    for points in (None, [(1.0, 1.0), (-2.0, 0.0), (0.5, 0.3)]):
        run_ = training.train(graph.seed_network(g1="tanh", loss="cross_entropy", y=0.6), 1, points)
        first, second = [-1.0, 0.25, 2.0], [-3.0, 0.5]
        grid = training.surface(run_, first, second)
        for i, w2 in enumerate(second):
            for j, w1 in enumerate(first):
                losses = []
                for x, y in points or [(1.0, 0.6)]:
                    g = engine.propagate(graph.seed_network(x=x, y=y, w1=w1, w2=w2, g1="tanh", loss="cross_entropy"))
                    losses.append(g.nodes["loss"]["value"])
                assert close(grid[i, j], sum(losses) / len(losses), 1e-12)


def chain_gradients(weights, act, x=1.0, y=1.0):
    """∂Loss/∂wᵢ of x → σ(w1·x) → σ(w2·a1) → ... → ½(aN − y)², backpropagated by hand."""
    f, d = ACT[act] if act in ACT else (lambda z: max(z, 0.0), lambda z, a: 1.0 if z > 0 else 0.0)
    inputs, zs, activations = [], [], []
    a = x
    for w in weights:
        inputs.append(a)
        zs.append(w * a)
        a = f(zs[-1])
        activations.append(a)
    delta = a - y  # ∂Loss/∂aN
    grads = [0.0] * len(weights)
    for i in reversed(range(len(weights))):
        dz = delta * d(zs[i], activations[i])
        grads[i] = dz * inputs[i]
        delta = dz * weights[i]
    return grads


@pytest.mark.parametrize("act", ["sigmoid", "tanh", "relu"])
@pytest.mark.parametrize("positive", [False, True])
def test_gradient_profile_matches_hand_backprop(act, positive):
    structure = examples.load("chain", 12)
    weights = [structure.nodes[f"w{i}"]["value"] for i in range(1, 13)]
    weights = [abs(w) for w in weights] if positive else weights
    profile = training.gradient_profile(structure, act, positive)
    assert list(profile) == [f"w{i}" for i in range(1, 13)]
    for got, want in zip(profile.values(), chain_gradients(weights, act), strict=True):
        assert close(got, want)
    assert structure.nodes["w2"]["value"] == -1.2 and "grad" not in structure.nodes["w2"]  # left as it was


def test_sigmoid_gradients_vanish_and_the_plot_says_so(tmp_path):
    profile = training.gradient_profile(examples.load("chain", 12), "sigmoid")
    assert abs(profile["w1"]) < 1e-6 * abs(profile["w12"])
    out = [tmp_path / "a.svg", tmp_path / "b.svg"]
    for path in out:
        result = run("gradients", "--example", "chain", "--layers", "12", "-o", str(path), "--size", "960x540")
        assert result.exit_code == 0, result.output
    assert out[0].read_bytes() == out[1].read_bytes()
    svg = out[0].read_text()
    assert "<svg" in svg and "Date" not in svg
    png = tmp_path / "g.png"
    assert run("gradients", "--example", "chain", "--layers", "4", "-o", str(png), "--size", "640x360").exit_code == 0
    assert Image.open(png).size == (640, 360)
    assert plots._summary({"w1": 0.0, "w2": 0.0}, {"w1": "w₁", "w2": "w₂"}).startswith("all 0")


def test_gradients_errors():
    assert "unknown activation 'tahn'" in run("gradients", "--activations", "sigmoid,tahn").output
    result = run("gradients", "-o", "g.gif")
    assert result.exit_code == 2 and "cannot tell the format" in result.output
    with pytest.raises(NNError):
        training.check_activations("sigmoid,tanh,relu,identity,softplus")
