"""A small random fuzzer for the command line: random options and random spec files.

    .venv/bin/python tests/fuzz_cli.py --cases 400 --seed 1 [--slow]

Every case runs in a fresh empty folder, in process (click's CliRunner), and must either succeed or
print exactly one `Error: ` line with exit 2 (1 for an environment failure), no traceback, and leave
the folder as it found it. A case that takes longer than --timeout seconds fails too. Failures are
printed with the command line and the spec text, so each can become a test. Not run by pytest (its
name does not start with test_); tests/test_hostile.py keeps the cases it found.
"""

from __future__ import annotations

import argparse
import collections
import os
import random
import signal
import tempfile
import time
from pathlib import Path

from click.testing import CliRunner

from graphviz_nn import ops
from graphviz_nn.cli import main

NAMES = ["x", "y", "w", "b", "z", "a", "n1", "n2", "mul1", "loss", "out", "__footer__", "_", "x1", "w_2", "h"]
ODD_NAMES = ["1x", "#footer", "my-node", "lambda", "None", "alpha", "sigmoid", "Heaviside", "é", "", "a b", "x" * 300]
NUMBERS = [
    "0", "1", "-1", "0.5", "2.0", "-3", "1e-300", "1e308", "1e400", "-1e400", "9" * 400, "0x7f", "inf", "nan",
    "-0.0", "5e-324", "1_000", "true", '"one"', "[1, 2]", "{a = 1}",
]  # fmt: skip
TITLES = ["t", "a\\u0001b", "tab\\there", "x" * 50, "", "<b>&amp;</b>"]  # TOML escapes, read by tomllib
OPTION_VALUES = [
    "", " ", "0", "-1", "1", "3", "12", "13", "1e400", "9" * 40, "nan", "abc", "1920x1080", "8000x8000",
    "64x64", "63x64", "x", "light", "tanh", "png", "svg", "-", "/dev/zero", "out.png", "out.gif",
]  # fmt: skip


def expression(rng: random.Random, names: list[str], depth: int = 0) -> str:
    """A random expression, mostly well formed, sometimes not."""
    roll = rng.random()
    if depth > 4 or roll < 0.3:
        return rng.choice(names) if names and rng.random() < 0.8 else rng.choice(NUMBERS[:12])
    if roll < 0.6:
        op = rng.choice(["+", "-", "*", "/", "**"])
        return f"{expression(rng, names, depth + 1)} {op} {expression(rng, names, depth + 1)}"
    if roll < 0.8:
        func = rng.choice([*ops.CALLABLE, "swish", "__import__", "eval"])
        count = rng.choice([1, 1, 2, 0, 3])
        return f"{func}({', '.join(expression(rng, names, depth + 1) for _ in range(count))})"
    if roll < 0.85:
        return " + ".join(rng.choice(names or ["x"]) for _ in range(rng.randint(2, 120)))  # a long flat chain
    if roll < 0.9:
        return "(" * 70 + (rng.choice(names) if names else "1") + ")" * 70
    return rng.choice(["-" * 80 + "x", "x.__class__", "x[0]", "'s'", "lambda: 1", "x if y else z", "1j", "x @ y"])


WRAPS = [
    "{}", "{}", "sigmoid({})", "tanh({})", "relu({})", "{} ** 2", "2 * {}", "{} / 3", "1 - {}", "-{}", "exp({})",
    "log({})", "softplus({})", "{} ** 0.5", "leaky_relu({})", "identity({})", "({} + 0) * 1",
]  # fmt: skip
VALUES = ["0.5", "-1.5", "2.0", "0", "1", "3", "-0.25", "37", "-800", "1e-300", "1e300", "700", "0.999"]


def valid_spec(rng: random.Random) -> str:
    """A spec that is mostly well formed: every leaf used, named steps, a loss; numbers sometimes extreme."""
    leaves = rng.sample([n for n in NAMES if n not in ("y", "loss")], rng.randint(1, 5))
    kinds = {leaf: rng.choice(["inputs", "parameters"]) for leaf in leaves}
    lines = [f"alpha = {rng.choice(VALUES)}"] if rng.random() < 0.3 else []
    for section in ("inputs", "parameters"):
        lines += [f"[{section}]"] + [f"{n} = {rng.choice(VALUES)}" for n in leaves if kinds[n] == section]
    lines += ["[targets]", f"y = {rng.choice(['1.0', '0.0', '0.3', '2'])}", "[nodes]"]
    terms = [rng.choice(WRAPS).format(leaf) for leaf in leaves]
    if rng.random() < 0.2:
        terms.append(" + ".join(rng.choice(leaves) for _ in range(rng.randint(2, 90))))
    current = terms[0]
    for i, term in enumerate(terms[1:]):
        lines.append(f'h{i} = "{rng.choice(WRAPS).format(current)} {rng.choice("+-*/")} {term}"')
        current = f"h{i}"
    loss = rng.choice(["quadratic({}, y)", "cross_entropy(sigmoid({}), y)", "quadratic(tanh({}), y)"])
    lines.append(f'loss = "{loss.format(current)}"')
    return "\n".join(lines) + "\n"


def spec_text(rng: random.Random) -> str:
    """A random spec file: sections, names and expressions, then a few random edits of the text."""
    if rng.random() < 0.5:
        return valid_spec(rng)
    lines, defined = [], []
    if rng.random() < 0.3:
        lines.append(f'title = "{rng.choice(TITLES)}"')
    if rng.random() < 0.3:
        lines.append(f"alpha = {rng.choice(NUMBERS)}")
    if rng.random() < 0.2:
        lines.append(f'output = "{rng.choice([*NAMES, "zz"])}"')
    fresh = rng.sample(NAMES, len(NAMES))  # mostly unique names: TOML itself refuses a repeated key
    for section in ("inputs", "parameters", "targets"):
        if rng.random() < 0.8:
            lines.append(f"[{section}]")
            for _ in range(rng.randint(0, 4)):
                roll = rng.random()
                name = fresh.pop() if roll < 0.85 and fresh else rng.choice(NAMES if roll < 0.92 else ODD_NAMES)
                key = name if name.isidentifier() else f'"{name}"'
                lines.append(f"{key} = {rng.choice(NUMBERS) if rng.random() < 0.2 else rng.choice(NUMBERS[:6])}")
                defined.append(name)
    lines.append("[nodes]")
    for i in range(rng.randint(0, 5)):
        name = fresh.pop() if rng.random() < 0.3 and fresh else f"h{i}"
        lines.append(f'{name} = "{expression(rng, defined)}"')
        defined.append(name)
    if rng.random() < 0.8:
        lines.append(f'loss = "{rng.choice(["quadratic", "cross_entropy"])}({expression(rng, defined, 3)}, y)"')
    text = "\n".join(lines) + "\n"
    for _ in range(rng.choice([0] * 8 + [1, 3])):  # a few random edits
        at = rng.randrange(len(text) + 1)
        text = text[:at] + rng.choice(["", "\x00", "[", '"', "\n", "=", "\ufeff", "é"]) + text[at + 1 :]
    return ("\ufeff" if rng.random() < 0.1 else "") + text


def command_line(rng: random.Random, slow: bool) -> tuple[list[str], str | None]:
    """A random command with random options; the spec text, when it uses one. Half the cases are
    clean (every option value valid) so that they get past the options to the graph and the drawing."""
    commands = ["inspect"] * 6 + ["render"] * 3 + ["examples", "derive"] + (["animate", "slides"] * 4 if slow else [])
    command = rng.choice(commands)
    junk = 0.0 if rng.random() < 0.5 else 0.25

    def pick(valid: list[str], bad: list[str]) -> str:
        return rng.choice(bad) if rng.random() < junk else rng.choice(valid)

    args, spec = [command], None
    if command == "examples":
        for option in rng.sample(["--show", "--layers"], rng.randint(0, 2)):
            valid = ["chain", "2-2-1"] if option == "--show" else ["2", "12"]
            args += [option, pick(valid, ["", "nope", *OPTION_VALUES])]
        return args, None
    roll = rng.random()
    if roll < 0.5:
        spec = spec_text(rng)
        args += ["--spec", "spec.toml"]
    elif roll < 0.7:
        args += ["--example", pick(["chain", "exercise", "2-2-1", "tied-weights", "micrograd-readme"], ["", "chian"])]
        if args[-1] == "chain" and rng.random() < 0.5:
            args += ["--layers", pick(["1", "3", "12"], ["0", "13", ""])]
    exercise = ["--x", "--y", "--w1", "--w2", "--g1", "--g2", "--loss"] if spec is None and roll >= 0.7 else []
    choices = [*exercise, "--alpha"]
    for option in rng.sample(choices, rng.randint(0, min(3, len(choices)))):
        if option in ("--g1", "--g2"):
            value = pick(list(ops.ACTIVATIONS), OPTION_VALUES)
        elif option == "--loss":
            value = pick(list(ops.LOSSES), OPTION_VALUES)
        else:
            value = pick(["0", "1", "-1", "0.5", "2.5", "-3", "1e-300", "1e300", "37", "-800", "1e3"], OPTION_VALUES)
        args += [option, value]
    if command == "render":
        args += ["-o", pick(["out.dot", "out.svg", "sub/out.dot", "out.png"], ["", "out.jpg", "out"])]
        if rng.random() < 0.3:
            args += ["--dpi", pick(["30", "72", "600"], ["0", "", "1e3"])]
    if command == "derive" and rng.random() < 0.5:
        args += ["--format", pick(["markdown", "latex", "json"], [""])]
    if command == "inspect" and rng.random() < 0.5:
        args += ["--json"]
    if command in ("animate", "slides"):
        args += ["-q", "--phase", pick(["forward", "backward", "both"], [""])]
        extension = ".gif" if command == "animate" else ".pdf"
        args += ["-o", pick([f"out{extension}", f"sub/out{extension}"], ["out.gif", "out.pdf", ""])]
        if rng.random() < 0.3:
            args += ["--size", pick(["640x360", "64x64", "1280x720"], OPTION_VALUES)]
        if command == "animate" and rng.random() < 0.4:
            args += ["--duration", pick(["20", "500", "218450"], ["0", "19", "218451", "", "9" * 30])]
        if command == "animate" and rng.random() < 0.3:
            args += ["--frames-dir", pick(["frames", "sub/frames"], ["", "out.gif"])]
    return args, spec


class Timeout(Exception):
    pass


def _alarm(*_):
    raise Timeout


def check(args: list[str], spec: str | None, timeout: float, seen: collections.Counter) -> str | None:
    """Run one case in a fresh folder; the reason it fails, or None. `seen` counts the outcomes."""
    with tempfile.TemporaryDirectory(prefix="fuzz-") as folder:
        here = os.getcwd()
        os.chdir(folder)
        try:
            if spec is not None:
                Path("spec.toml").write_text(spec, encoding="utf-8", errors="surrogatepass")
            before = sorted(p.name for p in Path(".").rglob("*"))
            signal.signal(signal.SIGALRM, _alarm)
            signal.setitimer(signal.ITIMER_REAL, timeout)
            try:
                result = CliRunner().invoke(main, args)
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
            after = sorted(p.name for p in Path(".").rglob("*"))
        finally:
            os.chdir(here)
    if isinstance(result.exception, Timeout):
        return f"took longer than {timeout} s"
    lines = result.output.strip().splitlines()
    seen[f"ok {args[0]}" if result.exit_code == 0 else " ".join(lines[-1].split()[:4]) if lines else "silent"] += 1
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        return f"raised {type(result.exception).__name__}: {result.exception}"
    if "Traceback" in result.output:
        return "printed a traceback"
    if result.exit_code == 0:
        return None
    if result.exit_code not in (1, 2):
        return f"exit {result.exit_code}"
    if len(lines) != 1 or not lines[0].startswith("Error: "):
        return f"not one Error line: {lines[:3]}"
    if after != before:
        return f"left {sorted(set(after) - set(before))} / removed {sorted(set(before) - set(after))}"
    return None


def main_(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=300)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--timeout", type=float, default=60.0)
    parser.add_argument("--slow", action="store_true", help="also animate and slides (seconds a case)")
    options = parser.parse_args(argv)
    rng = random.Random(options.seed)
    failures, start, seen = 0, time.time(), collections.Counter()
    for case in range(options.cases):
        args, spec = command_line(rng, options.slow)
        problem = check(args, spec, options.timeout, seen)
        if problem:
            failures += 1
            print(f"case {case}: {problem}\n  args: {args}\n  spec: {spec!r}")
    print("outcomes:", ", ".join(f"{n}× {what}" for what, n in seen.most_common(25)))
    print(f"{options.cases} cases, {failures} failures, {time.time() - start:.0f} s")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main_())
