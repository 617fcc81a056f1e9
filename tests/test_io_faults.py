"""Every I/O and archive fault on an input is one line naming the file, exit 1 (issue 10, item 11).

Damaged .docx inputs are made in the test from a real rendered agreement: a bad checksum, a
corrupt deflate stream, a lying size, an encrypted entry, an unknown compression method,
entries named `../x` or `/abs/x`, a password-protected Word file (an OLE compound file).
Standard output failing (a pipe closed early, a closed or full stdout) ends the command
without a traceback.
"""

from __future__ import annotations

import errno
import io
import os
import struct
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from agreement_builder.package import write_docx_bytes

ROOT = Path(__file__).resolve().parent.parent
RESAVE = "    hint: open it in Word or LibreOffice and save it again as .docx"


@pytest.fixture(scope="module")
def good_docx(tmp_path_factory) -> bytes:
    from agreement_builder.render import render_agreement
    from agreement_builder.validate import load_agreement

    return render_agreement(load_agreement(ROOT / "agreements" / "jps-2013.yaml"))


def _entry(data: bytes, name: str) -> tuple[int, int]:
    """Return the offsets of `name`'s local header and central directory record."""
    zf = zipfile.ZipFile(io.BytesIO(data))
    local = zf.getinfo(name).header_offset
    central = data.index(b"PK\x01\x02")
    while data[central + 46: central + 46 + len(name)] != name.encode():
        central = data.index(b"PK\x01\x02", central + 4)
    return local, central


def bad_crc(data: bytes) -> bytes:
    out = bytearray(data)
    local, central = _entry(data, "word/document.xml")
    out[local + 14] ^= 0xFF
    out[central + 16] ^= 0xFF
    return bytes(out)


def corrupt_deflate(data: bytes) -> bytes:
    out = bytearray(data)
    local, _ = _entry(data, "word/document.xml")
    start = local + 30 + struct.unpack_from("<H", data, local + 26)[0] + struct.unpack_from("<H", data, local + 28)[0]
    for k in range(start + 1, start + 40):
        out[k] ^= 0x5A
    return bytes(out)


def lying_size(data: bytes) -> bytes:
    out = bytearray(data)
    local, central = _entry(data, "word/document.xml")
    struct.pack_into("<I", out, local + 22, 100)
    struct.pack_into("<I", out, central + 24, 100)
    return bytes(out)


def flag(data: bytes, *, general: int = 0, method: int | None = None) -> bytes:
    out = bytearray(data)
    local, central = _entry(data, "word/document.xml")
    if general:
        struct.pack_into("<H", out, local + 6, general)
        struct.pack_into("<H", out, central + 8, general)
    if method is not None:
        struct.pack_into("<H", out, local + 8, method)
        struct.pack_into("<H", out, central + 10, method)
    return bytes(out)


def with_entry(data: bytes, name: str) -> bytes:
    parts = {i.filename: zipfile.ZipFile(io.BytesIO(data)).read(i) for i in zipfile.ZipFile(io.BytesIO(data)).infolist()}
    parts[name] = b"planted"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for part, blob in parts.items():
            zf.writestr(part, blob)
    return buffer.getvalue()


DAMAGE = [
    ("bad checksum", bad_crc, "the package is damaged: a checksum does not match in one of its parts"),
    ("corrupt deflate stream", corrupt_deflate, "the package is damaged: compressed data is corrupt in one of its parts"),
    ("lying size", lying_size, "the package is damaged: a checksum does not match in one of its parts"),
    ("unknown compression", lambda d: flag(d, method=99),
     "the package is damaged: an unknown compression method in one of its parts"),
]


@pytest.mark.parametrize("name,damage,message", DAMAGE, ids=[d[0] for d in DAMAGE])
def test_damaged_docx_is_one_line_naming_it(tmp_path, run, good_docx, name, damage, message):
    (tmp_path / "old.docx").write_bytes(damage(good_docx))
    result = run("redline", "old.docx", ROOT / "agreements" / "jps.yaml", "-o", "out.docx", cwd=tmp_path)
    assert result.exit_code == 1
    assert result.output.splitlines() == [f"old.docx: error: {message}", RESAVE]
    assert not (tmp_path / "out.docx").exists()


def test_password_protected_word_document(tmp_path, run):
    (tmp_path / "signed.docx").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(4096))
    result = run("redline", "signed.docx", ROOT / "agreements" / "jps.yaml", "-o", "out.docx", cwd=tmp_path)
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "signed.docx: error: this is a password-protected (encrypted) Word document, or one in the old .doc "
        "format; it cannot be read",
        "    hint: remove the password (File, Info, Protect Document) or open it in Word or LibreOffice and save it "
        "again as .docx"]
    assert not (tmp_path / "out.docx").exists()


def test_zip_encryption_is_named(tmp_path, run, good_docx):
    (tmp_path / "old.docx").write_bytes(flag(good_docx, general=1))
    result = run("redline", "old.docx", ROOT / "agreements" / "jps.yaml", "-o", "out.docx", cwd=tmp_path)
    assert result.exit_code == 1
    assert result.output.splitlines()[0] == "old.docx: error: the package is encrypted (a zip password); it cannot be read"


@pytest.mark.parametrize("entry", ["../evil.txt", "/abs/evil.txt", "word/../../evil.txt", "C:/evil.txt",
                                   "word\\..\\evil.txt"])
def test_entries_leading_out_of_the_package_are_refused_not_copied(tmp_path, run, good_docx, entry):
    (tmp_path / "new.docx").write_bytes(with_entry(good_docx, entry))
    result = run("redline", ROOT / "agreements" / "jps-2013.yaml", "new.docx", "-o", "out.docx", cwd=tmp_path)
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "new.docx: error: the package has an entry whose name leads out of it (`..`, or an absolute path); "
        "refusing to read it",
        "    hint: Word never writes such names; open it in Word or LibreOffice and save it again as .docx"]
    assert not (tmp_path / "out.docx").exists() and not (tmp_path.parent / "evil.txt").exists()


def test_a_redline_never_carries_an_unknown_entry_name_out(tmp_path, run, good_docx):
    """The parts a redline copies are the package's own, under the names they had."""
    result = run("redline", ROOT / "agreements" / "jps-2013.yaml", ROOT / "agreements" / "jps.yaml",
                 "-o", "out.docx", cwd=tmp_path)
    assert result.exit_code == 0
    names = zipfile.ZipFile(tmp_path / "out.docx").namelist()
    assert all(not n.startswith("/") and ".." not in n.split("/") for n in names)


def test_permission_denied_on_an_input(tmp_path, run, good_docx, monkeypatch):
    (tmp_path / "old.docx").write_bytes(good_docx)
    real = Path.read_bytes
    denied = {"old.docx"}

    def read_bytes(self):
        if self.name in denied:
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(self))
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    result = run("redline", "old.docx", ROOT / "agreements" / "jps.yaml", "-o", "out.docx", cwd=tmp_path)
    assert result.exit_code == 1
    assert result.output.splitlines() == ["old.docx: error: cannot read the file: Permission denied"]
    assert not (tmp_path / "out.docx").exists()
    denied.add("jps.yaml")
    result = run("validate", ROOT / "agreements" / "jps.yaml", cwd=tmp_path)
    assert result.exit_code == 1
    assert result.output.splitlines()[0].endswith("jps.yaml: error: cannot read the file: Permission denied")


def test_permission_denied_on_a_template(workspace, run, monkeypatch):
    real = Path.read_bytes

    def read_bytes(self):
        if self.name == "umbrella.docx":
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(self))
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    result = run("render", "agreements/jps.yaml", "-o", "x.docx", cwd=workspace)
    assert result.exit_code == 1 and "internal error" not in result.output
    assert result.output.strip().endswith("umbrella.docx: error: cannot read the file: Permission denied")
    assert not (workspace / "x.docx").exists()


def test_a_folder_given_as_a_file(workspace, run):
    (workspace / "folder.docx").mkdir()
    (workspace / "folder.yaml").mkdir()
    result = run("redline", "folder.docx", "agreements/jps.yaml", "-o", "out.docx", cwd=workspace)
    assert result.exit_code == 1 and result.output.splitlines() == ["folder.docx: error: this is a folder, not a file"]
    result = run("validate", "folder.yaml", cwd=workspace)
    assert result.exit_code == 1
    assert result.output.splitlines() == ["folder.yaml: error: this is a folder, not a YAML file"]
    result = run("diff", "folder.yaml", "agreements/jps.yaml", cwd=workspace)
    assert result.exit_code == 1 and result.output.splitlines() == ["folder.yaml: error: this is a folder, not a YAML file"]


# ---------------------------------------------------------------------------- standard output


def cli(*args: str, **kwargs) -> subprocess.Popen:
    env = dict(os.environ, AGREEMENT_BUILDER_CACHE="off")
    return subprocess.Popen([sys.executable, "-m", "agreement_builder", *args], cwd=ROOT, env=env,
                            stderr=subprocess.PIPE, **kwargs)


@pytest.mark.parametrize("args", [["diff", "agreements/jps.yaml"], ["schema"],
                                  ["validate", "agreements/jps.yaml", "summit.yaml"]])
def test_a_pipe_closed_early_ends_quietly(args):
    """`agreement-builder diff ... | head -c 0`: the reader is gone before the first write."""
    proc = cli(*args, stdout=subprocess.PIPE)
    proc.stdout.close()
    _, err = proc.communicate(timeout=60)
    assert err == b"" and proc.returncode in (0, 1)


def test_head_reading_ten_bytes_ends_quietly():
    result = subprocess.run(["bash", "-o", "pipefail", "-c",
                             f"{sys.executable} -m agreement_builder diff agreements/jps.yaml | head -c 10"],
                            cwd=ROOT, capture_output=True, env=dict(os.environ, AGREEMENT_BUILDER_CACHE="off"),
                            timeout=60)
    assert len(result.stdout) == 10 and result.stderr == b""


@pytest.mark.parametrize("args", [["validate", "agreements/jps.yaml"], ["schema"]])
def test_stdout_closed_ends_quietly(args):
    proc = cli(*args, preexec_fn=lambda: os.close(1))
    _, err = proc.communicate(timeout=60)
    assert err == b"" and proc.returncode == 0


def test_stdout_full_is_one_line():
    with open("/dev/full", "w") as full:
        proc = cli("schema", stdout=full)
        _, err = proc.communicate(timeout=60)
    assert proc.returncode == 1
    assert err.decode() == "error: standard output: cannot write: No space left on device\n"
