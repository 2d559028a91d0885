"""The one Graphviz runner: what it sends to `dot`, and every way `dot` can fail, with a mocked
subprocess (as the graphviz package tests its own), then once for real and through the command line."""

import subprocess

import pytest
from click.testing import CliRunner
from helpers import run

from graphviz_nn import runner
from graphviz_nn.cli import main
from graphviz_nn.errors import GraphvizMissing, NNError


class FakeDot:
    """Stands in for `dot`, run by `subprocess.run` or started ahead by `subprocess.Popen`: records
    each start, then answers with (status, stdout, stderr) or raises `result`."""

    def __init__(self):
        self.calls, self.result = [], (0, b"drawn", b"")

    def __call__(self, args, **kwargs):
        self.calls.append((args, kwargs))
        if isinstance(self.result, BaseException):
            raise self.result
        return subprocess.CompletedProcess(args, *self.result)

    def popen(self, args, **kwargs):
        self.calls.append((args, kwargs))
        if isinstance(self.result, BaseException):
            raise self.result
        return FakeProcess(*self.result)


class FakeProcess:
    def __init__(self, returncode, stdout, stderr):
        self.returncode, self.answer = None, (returncode, stdout, stderr)

    def communicate(self, data=None):
        self.returncode = self.answer[0]
        return self.answer[1:]

    def kill(self):
        pass

    def wait(self):
        return self.returncode


@pytest.fixture
def dot(monkeypatch):
    fake = FakeDot()
    monkeypatch.setattr(runner.subprocess, "run", fake)
    monkeypatch.setattr(runner.subprocess, "Popen", fake.popen)
    monkeypatch.setattr(runner, "_started", {})  # no real Graphviz started ahead by an earlier test
    return fake


def fails_with(dot, result):
    dot.result = result
    with pytest.raises(NNError) as caught:
        runner.pipe("digraph { a }", "png")
    return caught.value


def test_pipe_sends_the_source_on_stdin_and_returns_stdout(dot):
    assert runner.pipe("digraph { a -> b }", "svg") == b"drawn"
    [(args, kwargs)] = dot.calls
    assert args == ["dot", "-Tsvg"]
    assert kwargs["input"] == b"digraph { a -> b }" and kwargs["capture_output"] and not kwargs.get("shell")


def test_render_files_draws_each_file_beside_itself_in_one_process(dot, tmp_path):
    files = [tmp_path / "a.dot", tmp_path / "b.dot"]
    runner.render_files(files, "png")
    [(args, kwargs)] = dot.calls
    assert args == ["dot", "-Tpng", "-O", str(files[0]), str(files[1])]
    assert kwargs.get("input") is None


def test_draw_all_batches_and_keeps_pinned_graphs_apart(monkeypatch):
    """A few `dot` processes draw every source, in order; pinned graphs (layout=nop2) never share
    a process with graphs to lay out, which such a process would refuse (Graphviz keeps -n mode)."""
    batches = []
    real = runner.render_files
    monkeypatch.setattr(runner, "render_files", lambda files, fmt: (batches.append(len(files)), real(files, fmt)))
    pinned = 'digraph p%d { layout=nop2 x [pos="%d,10" width=0.5 height=0.5] }'
    sources = [pinned % (0, 10), "digraph a0 { y -> z }", pinned % (1, 20), "digraph a1 { u -> v }", pinned % (2, 30)]
    seen = {}
    svgs = runner.draw_all(sources, "svg", jobs=2, each=seen.__setitem__)
    assert [svg.decode().split("<title>", 1)[1].split("<", 1)[0] for svg in svgs] == ["p0", "a0", "p1", "a1", "p2"]
    assert seen == dict(enumerate(svgs))
    assert sorted(batches) == [1, 1, 1, 2]  # two jobs: the 3 pinned in batches of 2 and 1, the rest of 1


def test_missing_program_names_it_and_says_how_to_install(dot):
    err = fails_with(dot, FileNotFoundError(2, "No such file or directory", "dot"))
    assert isinstance(err, GraphvizMissing)
    assert str(err).startswith("the Graphviz program 'dot' was not found; install Graphviz")
    assert "apt-get install graphviz" in str(err) and "brew install graphviz" in str(err)


def test_a_program_that_cannot_start_is_one_line(dot):
    err = fails_with(dot, PermissionError(13, "Permission denied", "dot"))
    assert not isinstance(err, GraphvizMissing)
    assert str(err) == "cannot run the Graphviz program 'dot' (Permission denied)"


@pytest.mark.parametrize(
    "stderr,expected",
    [
        (b"Error: <stdin>: syntax error in line 1 near '}'\n", "Error: <stdin>: syntax error in line 1 near '}'"),
        # several lines: the last one that says something, its whitespace folded
        (b"Warning: a\nWarning: b\r\nError:   bad\t\tlabel  \n\n  \n", "Error: bad label"),
        (b"Error: caf\xe9 \xff\n", "Error: caf\N{REPLACEMENT CHARACTER} \N{REPLACEMENT CHARACTER}"),
    ],
)
def test_a_failing_program_gives_its_last_complaint_on_one_line(dot, stderr, expected):
    err = fails_with(dot, (1, b"", stderr))
    assert str(err) == f"Graphviz failed: {expected}"


def test_a_long_complaint_is_cut(dot):
    err = fails_with(dot, (1, b"", b"Error: " + b"x" * 5000 + b"\n"))
    assert str(err).startswith("Graphviz failed: Error: xxx") and len(str(err)) < 400


def test_silent_failure_gives_the_exit_status(dot):
    assert str(fails_with(dot, (3, b"partial", b""))) == "Graphviz failed: the program exited with status 3"


@pytest.mark.parametrize("signal", [9, 11])
def test_killed_by_a_signal(dot, signal):
    err = fails_with(dot, (-signal, b"", b""))
    assert str(err) == f"Graphviz failed: the program was killed (signal {signal})"


def test_real_graphviz_errors_come_back_as_one_line():
    with pytest.raises(NNError, match=r"^Graphviz failed: Error: <stdin>: syntax error in line 1 near '\}'$"):
        runner.pipe("digraph { a -> }", "png")
    with pytest.raises(NNError) as caught:
        runner.pipe("digraph { a }", "nope")  # dot lists every format it knows: kept short
    assert str(caught.value).startswith('Graphviz failed: Format: "nope" not recognized')
    assert "\n" not in str(caught.value) and len(str(caught.value)) < 400


@pytest.mark.parametrize(
    "result,code,message",
    [
        (
            FileNotFoundError(2, "No such file or directory", "dot"),
            1,
            "Error: the Graphviz program 'dot' was not found",
        ),
        ((1, b"", b"Warning: x\nError: out of memory\n"), 2, "Error: Graphviz failed: Error: out of memory"),
        ((-9, b"", b""), 2, "Error: Graphviz failed: the program was killed (signal 9)"),
    ],
)
@pytest.mark.parametrize("command", [["render", "-o", "net.png"], ["animate", "-q", "-o", "bp.gif"]])
def test_the_command_line_shows_one_error_line_and_leaves_nothing(
    dot, result, code, message, command, tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    dot.result = result
    outcome = CliRunner().invoke(main, command)
    assert outcome.exit_code == code, outcome.output
    lines = outcome.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(message), outcome.output
    assert dot.calls, "the command never reached Graphviz"
    assert list(tmp_path.iterdir()) == []


def test_a_graphviz_started_ahead_draws_like_one_started_on_demand():
    source = "digraph { a -> b }"
    on_demand = runner.pipe(source, "svg")
    with runner.ahead("svg", "png"):
        assert runner.pipe(source, "svg") == on_demand
        unused = runner._started["png"]
    assert runner._started == {} and unused.poll() is not None  # the one never used is stopped


def test_a_graphviz_started_ahead_reports_its_failure_as_one_line():
    with runner.ahead("png"), pytest.raises(NNError, match=r"Graphviz failed: .*syntax error"):
        runner.pipe("digraph { a -> }", "png")


def test_a_command_that_fails_before_drawing_leaves_no_graphviz_started(tmp_path, monkeypatch):
    """render starts Graphviz ahead; refused after that (a bad spec), nothing started may remain for
    a later drawing in the same process (a notebook, a test run)."""
    bad = tmp_path / "bad.toml"
    bad.write_text("[nodes]\nz = 'w1 *'\n")
    started = []
    real = runner.subprocess.Popen
    monkeypatch.setattr(runner.subprocess, "Popen", lambda *a, **k: started.append(real(*a, **k)) or started[-1])
    outcome = run("render", "--spec", str(bad), "-o", str(tmp_path / "net.png"))
    assert outcome.exit_code == 2 and outcome.output.startswith("Error:")
    assert started and runner._started == {} and all(p.poll() is not None for p in started)
