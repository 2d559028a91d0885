"""The installed program (`graphviz-nn`, `python -m graphviz_nn`) leaves without tearing the
interpreter down: its output must still arrive whole, its exit codes stay, and nothing is left behind."""

import importlib.metadata
import json
import os
import subprocess
import sys

from helpers import run

from graphviz_nn import cli


def _program(*args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "graphviz_nn", *args], capture_output=True, text=True, **kwargs)


def test_the_installed_command_is_the_program():
    (script,) = importlib.metadata.entry_points(group="console_scripts", name="graphviz-nn")
    assert script.load() is cli.run


def test_long_output_arrives_whole_and_matches_the_library():
    done = _program("inspect", "--json", "--g1", "tanh", "--x", "0.7")
    assert done.returncode == 0 and done.stderr == ""
    assert json.loads(done.stdout) == json.loads(run("inspect", "--json", "--g1", "tanh", "--x", "0.7").output)


def test_a_usage_error_keeps_exit_code_2_and_one_error_line(tmp_path):
    done = _program("render", "-o", str(tmp_path / "net.xyz"))
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.startswith("Error: cannot tell the format") and len(done.stderr.splitlines()) == 1
    assert list(tmp_path.iterdir()) == []


def test_no_scratch_folder_is_left_behind(tmp_path):
    scratch, out = tmp_path / "tmp", tmp_path / "bp.gif"
    scratch.mkdir()
    env = {**os.environ, "TMPDIR": str(scratch)}
    done = _program("animate", "-q", "--phase", "forward", "--size", "320x180", "-o", str(out), env=env)
    assert done.returncode == 0, done.stderr
    assert out.stat().st_size > 0 and list(scratch.iterdir()) == []
