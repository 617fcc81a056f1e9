"""The console script's fast answers (start.py): the same words as click, without click.

`--version` and `--help` are printed by start.py from `_help.py`; every other command line, and
`--help` on a terminal narrower than 80 columns, is click's. Each test runs a fresh interpreter,
as a user's shell does.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _run(code: str, columns: int | None = 80, **kwargs) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "COLUMNS"}
    if columns is not None:
        env["COLUMNS"] = str(columns)
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=ROOT, **kwargs)


def _click(args: list[str], columns: int | None = 80) -> subprocess.CompletedProcess:
    return _run(f"from agreement_builder.cli import main; main({args!r})", columns)


def _start(args: list[str], columns: int | None = 80) -> subprocess.CompletedProcess:
    code = (f"import sys\nfrom agreement_builder.start import main\ntry:\n    main({args!r})\nfinally:\n"
            "    sys.stderr.write('click loaded' if 'click' in sys.modules else 'no click')")
    return _run(code, columns)


@pytest.mark.parametrize("args", [["--help"], ["-h"], ["--version"]])
def test_the_fast_answers_are_clicks_own_words_without_click(args):
    fast, slow = _start(args), _click(args)
    assert slow.returncode == 0 and fast.returncode == 0
    assert fast.stdout == slow.stdout, "agreement_builder/_help.py is out of date: run tools/update_help.py"
    assert fast.stderr == "no click"


def test_a_narrow_terminal_gets_clicks_wrapping():
    fast, slow = _start(["--help"], columns=60), _click(["--help"], columns=60)
    assert fast.stdout == slow.stdout and "click loaded" in fast.stderr
    assert max(len(line) for line in fast.stdout.splitlines()) <= 58


def test_without_columns_the_width_is_clicks_fallback():
    """Output to a pipe with no COLUMNS: both use 80 columns (shutil's fallback)."""
    fast, slow = _start(["--help"], columns=None), _click(["--help"], columns=None)
    assert fast.stdout == slow.stdout and fast.stderr == "no click"


def test_every_other_command_line_is_clicks(tmp_path):
    result = _start(["validate", str(ROOT / "agreements" / "jps.yaml")])
    assert result.returncode == 0 and "jps.yaml: ok" in result.stdout and "click loaded" in result.stderr
    unknown = _start(["--versio"])
    assert unknown.returncode == 2 and "No such option" in unknown.stderr and "click loaded" in unknown.stderr
    sub = _start(["build", "--help"])
    assert sub.stdout.startswith("Usage: agreement-builder build [OPTIONS] [SUMMIT]")


def test_the_console_script_and_python_dash_m_use_start():
    script = Path(sys.executable).parent / "agreement-builder"
    if script.exists():
        assert "agreement_builder.start import main" in script.read_text()
    result = subprocess.run([sys.executable, "-m", "agreement_builder", "--version"], capture_output=True, text=True)
    assert result.returncode == 0 and result.stdout.startswith("agreement-builder, version ")


def test_a_full_disk_is_one_line_and_exit_1():
    with open("/dev/full", "w") as full:
        result = subprocess.run([sys.executable, "-m", "agreement_builder", "--help"], stdout=full,
                                stderr=subprocess.PIPE, text=True)
    assert result.returncode == 1
    assert result.stderr == "error: standard output: cannot write: No space left on device\n"


def test_a_closed_pipe_ends_quietly():
    proc = subprocess.Popen([sys.executable, "-m", "agreement_builder", "--help"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    proc.stdout.close()  # the reader went away before anything was written
    _, err = proc.communicate(timeout=60)
    assert proc.returncode in (0, 1) and b"Traceback" not in err
