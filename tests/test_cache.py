"""The compiled-template cache: invisible in the output, private, and ignored when damaged."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from agreement_builder import cache, render
from agreement_builder.render import render_agreement
from agreement_builder.validate import load_agreement

ROOT = Path(__file__).resolve().parent.parent


def fresh_render(monkeypatch, folder: str) -> bytes:
    monkeypatch.setenv("AGREEMENT_BUILDER_CACHE", folder)
    render._prepared.cache_clear()
    render._annex_template.cache_clear()
    return render_agreement(load_agreement(ROOT / "agreements" / "jps.yaml"))


def test_cached_and_uncached_renders_are_byte_identical(monkeypatch, tmp_path):
    folder = tmp_path / "c"
    uncached = fresh_render(monkeypatch, "off")
    first = fresh_render(monkeypatch, str(folder))  # compiles and stores
    entries = sorted(folder.iterdir())
    assert entries, "nothing was cached"
    assert (folder.stat().st_mode & 0o777) == 0o700
    second = fresh_render(monkeypatch, str(folder))  # loads
    assert uncached == first == second


def test_a_damaged_entry_is_compiled_again(monkeypatch, tmp_path):
    folder = tmp_path / "c"
    expected = fresh_render(monkeypatch, str(folder))
    for entry in folder.iterdir():
        entry.write_bytes(b"\x00garbage")
    assert fresh_render(monkeypatch, str(folder)) == expected
    assert all(cache.load(entry.name) is not None for entry in folder.iterdir())  # and stored again


def test_a_folder_others_can_write_to_is_not_trusted(monkeypatch, tmp_path):
    folder = tmp_path / "c"
    fresh_render(monkeypatch, str(folder))
    os.chmod(folder, 0o777)
    name = next(folder.iterdir()).name
    assert cache.load(name) is None


def test_render_needs_neither_python_docx_nor_docxtpl_once_compiled(tmp_path):
    """The cache is what keeps a render's start-up short: a warm render imports no docxtpl or python-docx."""
    env = dict(os.environ, AGREEMENT_BUILDER_CACHE=str(tmp_path / "c"))
    code = ("import sys; from agreement_builder.cli import main; sys.argv = ['ab', 'render', {a!r}, '-o', {o!r}]\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            "print('docx' in sys.modules, 'docxtpl' in sys.modules)")
    args = [sys.executable, "-c", code.format(a=str(ROOT / "agreements" / "jps.yaml"), o=str(tmp_path / "o.docx"))]
    cold = subprocess.run(args, env=env, capture_output=True, text=True, check=True).stdout.split()
    warm = subprocess.run(args, env=env, capture_output=True, text=True, check=True).stdout.split()
    assert cold[-2:] == ["True", "True"]
    assert warm[-2:] == ["False", "False"]


@pytest.mark.parametrize("setting", ["off", "0", "no"])
def test_the_cache_can_be_turned_off(monkeypatch, setting):
    monkeypatch.setenv("AGREEMENT_BUILDER_CACHE", setting)
    assert cache.cache_dir() is None


def test_an_entry_of_another_shape_is_compiled_again(monkeypatch, tmp_path):
    folder = tmp_path / "c"
    expected = fresh_render(monkeypatch, str(folder))
    import marshal
    for entry in folder.iterdir():
        entry.write_bytes(marshal.dumps(("an", "older", "layout")))
    assert fresh_render(monkeypatch, str(folder)) == expected
