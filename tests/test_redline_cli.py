"""`agreement-builder redline` on the example pair of YAML agreements (rendered, then compared)."""

from __future__ import annotations

from agreement_builder.render import render_agreement
from agreement_builder.validate import load_agreement

from .test_redline import document_xml, resolve, revisions, texts


def test_example_pair_accept_gives_new_and_reject_gives_old(workspace, run):
    out = workspace / "redline.docx"
    result = run("redline", "agreements/jps-2013.yaml", "agreements/jps.yaml", "-o", out, cwd=workspace)
    assert result.exit_code == 0, result.output
    data = out.read_bytes()
    root = document_xml(data)
    assert revisions(root)
    old = render_agreement(load_agreement(workspace / "agreements" / "jps-2013.yaml"))
    new = render_agreement(load_agreement(workspace / "agreements" / "jps.yaml"))
    assert texts(resolve(document_xml(data), accept=True)) == texts(document_xml(new))
    assert texts(resolve(document_xml(data), accept=False)) == texts(document_xml(old))
    # and over every story (headers, footers, contents fields ...), with nothing to report
    from docx_views import judge
    assert judge(old, new, data, []) == ("exact", [])
    assert "warning" not in result.output
    # authors and dates are the defaults (deterministic)
    assert {r.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}author") for r in revisions(root)} == {"agreement-builder"}
    again = workspace / "again.docx"
    run("redline", "agreements/jps-2013.yaml", "agreements/jps.yaml", "-o", again, cwd=workspace)
    assert again.read_bytes() == data


def test_same_agreement_has_no_revision(workspace, run):
    out = workspace / "same.docx"
    assert run("redline", "agreements/jps.yaml", "agreements/jps.yaml", "-o", out, cwd=workspace).exit_code == 0
    assert revisions(document_xml(out.read_bytes())) == []


def test_not_a_docx_is_a_clear_error(workspace, run):
    (workspace / "fake.docx").write_text("hello")
    result = run("redline", "fake.docx", "agreements/jps.yaml", "-o", workspace / "x.docx", cwd=workspace)
    assert result.exit_code == 1 and "not a Word .docx file" in result.output
    assert not (workspace / "x.docx").exists()


def test_what_was_not_compared_is_said_on_stderr_and_kept_in_the_document(workspace, run):
    from redline_helpers import Body, Para, build_docx

    tracked = ('<w:r><w:t xml:space="preserve">The board </w:t></w:r><w:ins w:id="902" w:author="x" '
               'w:date="2016-01-01T00:00:00Z"><w:r><w:t>shall</w:t></w:r></w:ins><w:r><w:t xml:space="preserve"> meet.'
               '</w:t></w:r>')
    (workspace / "old.docx").write_bytes(build_docx([Para(raw=tracked)]))
    (workspace / "new.docx").write_bytes(build_docx([Body("The board shall meet monthly.")]))
    out = workspace / "redline.docx"
    result = run("redline", "old.docx", "new.docx", "-o", out, cwd=workspace)
    assert result.exit_code == 0, result.output
    assert "warning: tracked changes: OLD (old.docx) holds 1 tracked change" in result.stderr
    assert "warning:" not in result.stdout and "wrote" in result.stdout
    import zipfile
    with zipfile.ZipFile(out) as zf:
        assert b"tracked changes: OLD" in zf.read("docProps/custom.xml")
