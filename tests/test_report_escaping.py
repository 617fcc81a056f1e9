"""Change reports leave no live link, script or HTML from user text (issue 10, item 6).

The Markdown is rendered by cmark-gfm, GitHub's own renderer, with raw HTML let through
(CMARK_OPT_UNSAFE) and GitHub's autolinks on, so that anything the report failed to escape
shows up as an element; the HTML report is parsed as a browser would.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import cmarkgfm
import lxml.html
import pytest
from cmarkgfm.cmark import Options

from agreement_builder.diff import diff_agreements
from agreement_builder.report import format_html, format_markdown
from agreement_builder.validate import load_agreement

from .conftest import replace_once

ROOT = Path(__file__).resolve().parent.parent
BASE = (ROOT / "agreements" / "jps.yaml").read_text(encoding="utf-8").replace("  previous: jps-2013.yaml\n", "")

PAYLOADS = [
    "[click](javascript:alert(document.domain))",
    "![x](https://evil.example/pixel.png)",
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<https://evil.example/auto>",
    "see https://evil.example/a and ftp://evil.example/b",
    "www.evil.example/path",
    "write to someone@evil.example now",
    "xmpp:agent@evil.example",
    "<!-- hidden --> &lt;script&gt; &#x3C;b&#x3E;",
    "`code` and ``more``",
    "a | b | c",
    "[ref] and [ref][x]",
    "*stars* _under_ ~~strike~~ # hash",
]
#: Multi-line text (clauses and specifications may be): a line could start a block of its own.
MULTILINE = "First line\n# A heading\n[x]: javascript:alert(1)\n<div onclick=alert(1)>block</div>\n    indented"

#: Elements a report may contain: its own structure and the <ins>/<del> marks it writes.
ALLOWED = {"html", "body", "p", "h1", "h2", "ul", "li", "table", "thead", "tbody", "tr", "th", "td", "ins", "del",
           "code", "div", "head", "meta", "title", "style", "a"}


def hostile_pair(tmp_path: Path):
    """Return the change set of an agreement whose new version puts every payload in reported text."""
    new = BASE.replace("  title: Joint Protective Services\n",
                       f"  title: {json.dumps('JPS ' + PAYLOADS[0])}\n")
    clauses = "".join(f"    - {json.dumps(p)}\n" for p in PAYLOADS) + f"    - {json.dumps(MULTILINE)}\n"
    new = replace_once(new, "  liabilities:\n", clauses + "  liabilities:\n")
    new = replace_once(new, "Lead Force arrangements in this Agreement.",
                       "Lead Force arrangements " + " ".join(PAYLOADS[1:5]))
    new = replace_once(new, "    name: Camera Tickets and Collisions\n", f"    name: {json.dumps(PAYLOADS[6])}\n")
    new = replace_once(new, "        - Review of undetected major crime\n", f"        - {json.dumps(MULTILINE)}\n")
    shutil.copy(ROOT / "parties.yaml", tmp_path / "parties.yaml")
    old_path = tmp_path / "o`<script>x.yaml"  # file names are user text too
    old_path.write_text(BASE, encoding="utf-8")
    (tmp_path / "new.yaml").write_text(new, encoding="utf-8")
    return diff_agreements(load_agreement(old_path), load_agreement(tmp_path / "new.yaml"))


def elements(page: str) -> list:
    return list(lxml.html.document_fromstring(page).iter(lxml.etree.Element))


def test_markdown_has_no_live_link_or_html_from_user_text(tmp_path):
    changes = hostile_pair(tmp_path)
    markdown = format_markdown(changes)
    page = cmarkgfm.markdown_to_html_with_extensions(
        markdown, options=Options.CMARK_OPT_UNSAFE, extensions=["table", "autolink", "strikethrough"])
    found = elements(page)
    assert not [e for e in found if e.tag == "a"], [lxml.html.tostring(e) for e in found if e.tag == "a"]
    assert {e.tag for e in found} <= ALLOWED - {"a", "div", "style", "meta", "title", "head"}
    assert not [e for e in found if any(name.startswith("on") or name in ("src", "href") for name in e.attrib)]
    text = lxml.html.document_fromstring(page).text_content()
    for payload in PAYLOADS[1:]:  # each printed literally (the @ carries an invisible word joiner)
        assert payload in text.replace("@\u2060", "@"), payload
    assert "o`<script>x.yaml" in text
    # the multi-line text stays inside its list item, on one line
    assert "First line # A heading [x]: javascript:alert(1) <div onclick=alert(1)>block</div> indented" in text


def test_html_report_has_no_live_link_or_html_from_user_text(tmp_path):
    page = format_html(hostile_pair(tmp_path))
    found = elements(page)
    assert {e.tag for e in found} <= ALLOWED
    assert all(e.get("href", "#").startswith("#c") for e in found if e.tag == "a")
    assert not [e for e in found if any(name.startswith("on") or name == "src" for name in e.attrib)]
    text = lxml.html.document_fromstring(page).text_content()
    for payload in PAYLOADS:
        assert payload in text, payload
    assert MULTILINE.split("\n")[3] in text


@pytest.mark.parametrize("text", PAYLOADS + [MULTILINE])
def test_markdown_escaping_alone(text):
    from agreement_builder.report import _md, _md_code

    for escaped in (_md(text), _md_code(text)):
        page = cmarkgfm.markdown_to_html_with_extensions(
            escaped, options=Options.CMARK_OPT_UNSAFE, extensions=["table", "autolink", "strikethrough"])
        found = elements(page)
        assert {e.tag for e in found} <= {"html", "body", "p", "code"}, page
        shown = lxml.html.document_fromstring(page).text_content().strip("\n").replace("@\u2060", "@")
        assert shown == " ".join(text.split("\n")), page
