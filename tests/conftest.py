"""Shared fixtures: a scratch copy of the example workspace and a CLI runner."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """Return a scratch copy of the example workspace (parties, agreements, summit)."""
    shutil.copy(ROOT / "parties.yaml", tmp_path / "parties.yaml")
    shutil.copy(ROOT / "summit.yaml", tmp_path / "summit.yaml")
    shutil.copytree(ROOT / "agreements", tmp_path / "agreements")
    return tmp_path


@pytest.fixture
def run():
    """Return a function running the CLI: run("validate", "x.yaml") -> click Result."""
    from agreement_builder.cli import cli

    def _run(*args: str, cwd: Path | None = None):
        runner = CliRunner()
        if cwd is None:
            return runner.invoke(cli, [str(a) for a in args], catch_exceptions=False)
        import os
        old = os.getcwd()
        os.chdir(cwd)
        try:
            return runner.invoke(cli, [str(a) for a in args], catch_exceptions=False)
        finally:
            os.chdir(old)

    return _run


def replace_once(text: str, old: str, new: str) -> str:
    """Return `text` with `old` replaced by `new`, insisting that `old` occurs exactly once."""
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
    return text.replace(old, new)


@pytest.fixture(autouse=True, scope="session")
def _private_template_cache(tmp_path_factory):
    """Keep the compiled-template cache of the tests away from the user's own (and start it empty)."""
    import os

    folder = tmp_path_factory.mktemp("cache") / "agreement-builder"
    old = os.environ.get("AGREEMENT_BUILDER_CACHE")
    os.environ["AGREEMENT_BUILDER_CACHE"] = str(folder)
    yield folder
    if old is None:
        os.environ.pop("AGREEMENT_BUILDER_CACHE", None)
    else:
        os.environ["AGREEMENT_BUILDER_CACHE"] = old
