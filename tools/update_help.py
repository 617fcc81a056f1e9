"""Write agreement_builder/_help.py: click's own `agreement-builder --help` at 80 columns.

`start.py` prints it without importing click; tests/test_start.py fails when it differs from
what click prints, and says to run this: `.venv/bin/python tools/update_help.py`.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "agreement_builder" / "_help.py"


def click_help() -> str:
    """Return what click prints for `--help` on an 80-column terminal."""
    code = "from agreement_builder.cli import main; main(['--help'])"
    env = {**os.environ, "COLUMNS": "80"}
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env,
                          cwd=ROOT).stdout


def module_text(text: str) -> str:
    return ('"""`agreement-builder --help` as click prints it at 80 columns (written by tools/update_help.py;\n'
            'tests/test_start.py checks it against click). Do not edit by hand."""\n\n'
            f"HELP = {text!r}\n")


if __name__ == "__main__":
    TARGET.write_text(module_text(click_help()), encoding="utf-8")
    print(f"wrote {TARGET.relative_to(ROOT)}")
