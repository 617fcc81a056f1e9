"""absorb, property-based: random reviewer edits of the kinds absorb knows, over the example agreements.

Each example renders an example agreement, makes a random set of edits on distinct
paragraphs and cells (tracked or not, runs split or not, text with `&`, `<`, `{{`, curly
quotes), absorbs them, writes the YAML and renders it again. Then:
- every edit of agreement data is absorbed, and reads in the new document exactly as the
  reviewer left it;
- every edit of a computed figure or of standard wording is reported as such and changes
  nothing in the YAML;
- the YAML keeps every comment.
"""

from __future__ import annotations

import shutil
import tempfile
from decimal import Decimal
from pathlib import Path

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from agreement_builder.absorb import absorb
from agreement_builder.docmodel import read_document
from agreement_builder.render import render_agreement
from agreement_builder.validate import load_agreement

from .word_edits import WordFile, text_of, w

ROOT = Path(__file__).resolve().parent.parent
PHRASES = ["promptly", "& in writing", "subject to <review>", "{{ as agreed }}", "“in good faith”", "at £5 per item",
           "by 50%", "without delay", "colon: yes", "the Board's approval"]

_RENDERED: dict[str, bytes] = {}


def _workspace(tmp: Path) -> Path:
    shutil.copy(ROOT / "parties.yaml", tmp / "parties.yaml")
    shutil.copytree(ROOT / "agreements", tmp / "agreements")
    return tmp


def _rendered(ws: Path, name: str) -> bytes:
    if name not in _RENDERED:  # a render is deterministic: once per agreement for the whole run
        _RENDERED[name] = render_agreement(load_agreement(ws / "agreements" / name))
    return _RENDERED[name]


def _style(p) -> str | None:
    ps = p.find(f"{w('pPr')}/{w('pStyle')}")
    return ps.get(w("val")) if ps is not None else None


def _candidates(wf: WordFile) -> dict[str, list]:
    """Return the paragraphs and cells of each kind of edit, by kind."""
    found: dict[str, list] = {k: [] for k in ("clause", "standard", "spec", "budget", "input", "computed", "name", "date")}
    section = ""
    for p in wf.body.iter(w("p")):
        if p.getparent().tag != w("body"):
            continue
        names = [b.get(w("name"), "") for b in p.iter(w("bookmarkStart"))]
        text = text_of(p)
        style = _style(p) or ""
        if any(n.startswith("_AB_S_") for n in names):
            section = next(n for n in names if n.startswith("_AB_S_"))
        elif any(n.startswith(("_AB_F_", "_AB_A_")) for n in names) or style in ("AppendixTitle", "PartHeading"):
            section = "annex" if any(n.startswith("_AB_F_") for n in names) else "other"
        if any(n.startswith("_AB_C_") for n in names):
            found["clause"].append(p)
        elif section.startswith("_AB_S_") and style == "Clause" and text.endswith("."):
            found["standard"].append(p)
        elif section == "annex" and text.startswith("The annual budget of the Function is £"):
            found["budget"].append(p)
        elif style == "AnnexTitle" and ": " in text:
            found["name"].append(p)
        elif text.startswith("This Agreement is dated "):
            found["date"].append(p)
    for tbl in wf.body.iter(w("tbl")):
        rows = tbl.findall(w("tr"))
        header = [text_of(c) for c in rows[0].findall(w("tc"))] if rows else []
        for tr in rows[1:-1]:  # force rows, not the total
            cells = tr.findall(w("tc"))
            if header[:2] == ["Force", "Demand"]:
                found["input"].append(cells[1].find(w("p")))
            elif header == ["Force", "Share", "Annual Contribution"]:
                found["computed"].append(cells[2].find(w("p")))
    return found


@st.composite
def reviews(draw):
    name = draw(st.sampled_from(["jps.yaml", "psd.yaml"]))
    plan = draw(st.lists(st.tuples(
        st.sampled_from(["clause", "new_clause", "delete_clause", "standard", "spec", "new_spec", "budget", "input",
                         "computed", "name", "date"]),
        st.integers(0, 10_000), st.sampled_from(PHRASES), st.booleans(), st.booleans(), st.integers(1, 99_999)),
        min_size=1, max_size=5))
    return name, plan


def _specification_items(wf: WordFile, data_texts: set[str]) -> list:
    return [p for p in wf.body.iter(w("p")) if text_of(p) in data_texts and _style(p) == "AnnexClause"]


# each example renders twice: modest counts, and no shrinking (a failure prints its example as drawn)
@settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck),
          phases=[Phase.explicit, Phase.reuse, Phase.generate])
@given(reviews())
def test_random_reviews_round_trip(review):
    name, plan = review
    with tempfile.TemporaryDirectory() as tmp:
        ws = _workspace(Path(tmp))
        source = ws / "agreements" / name
        checked = load_agreement(source)
        doc = ws / "reviewed.docx"
        doc.write_bytes(_rendered(ws, name))
        wf = WordFile(doc)
        kinds = _candidates(wf)
        items = {s for fn in checked.agreement.functions if not isinstance(fn.specification, str)
                 for s in [*(fn.specification.services or []), *(fn.specification.service_levels or [])]}
        kinds["spec"] = _specification_items(wf, items)
        used: set[int] = set()
        renamed: dict[str, str] = {}  # function names changed in an annex title: changed everywhere they print
        expected: list[tuple[str, str]] = []  # (status, the text the new document must show: "" for none)
        for kind, pick, phrase, tracked, split, number in plan:
            pool_kind = {"new_clause": "clause", "delete_clause": "clause", "new_spec": "spec"}.get(kind, kind)
            pool = [p for p in kinds[pool_kind] if id(p) not in used]
            if not pool:
                continue
            p = pool[pick % len(pool)]
            used.add(id(p))
            text = text_of(p)
            if split and kind not in ("new_clause", "new_spec"):
                wf.split_runs(p)
            edit = wf.track_replace if tracked else wf.retype
            if kind in ("clause", "standard", "spec"):
                new = f"{text.rstrip('.')} {phrase}" + ("." if text.endswith(".") else "")
                edit(p, text, new)
                expected.append(("template" if kind == "standard" else "absorbed", new))
            elif kind in ("new_clause", "new_spec"):
                new = f"New text {number} {phrase}."
                (wf.track_insert_after if tracked else wf.insert_after)(p, new, _style(p))
                used.add(id(p.getnext()))
                expected.append(("absorbed", new))
            elif kind == "delete_clause":
                if tracked:
                    wf.track_delete(p)
                else:
                    wf.remove(p)
                expected.append(("absorbed", ""))
            elif kind == "budget":
                old = text.split("£", 1)[1].split(" ", 1)[0].rstrip(".")
                edit(p, f"£{old}", f"£{number:,}.00")
                expected.append(("absorbed", text.replace(f"£{old}", f"£{number:,}.00")))
            elif kind == "input":
                edit(p, text, f"{number:,}")
                expected.append(("absorbed", ""))
            elif kind == "name":
                head, old = text.split(": ", 1)
                edit(p, text, f"{head}: {old} {number}")
                renamed[old] = f"{old} {number}"
                expected.append(("absorbed", f"{head}: {old} {number}"))
            elif kind == "date":
                new = f"This Agreement is dated {1 + number % 28} March 2017 and is made between:"
                edit(p, text, new)
                expected.append(("absorbed", new))
            else:  # computed
                edit(p, text, f"£{number:,}.00")
                expected.append(("computed", ""))
        wf.save()
        before = source.read_text()
        result = absorb(doc, source)
        statuses = sorted(c.status for c in result.changes)
        assert statuses == sorted(s for s, _ in expected), [(c.status, c.where, c.reason) for c in result.changes]
        assert result.problems == []
        if not any(s == "absorbed" for s, _ in expected):
            assert result.new_text == before
            return
        source.write_text(result.new_text)
        assert [l for l in result.new_text.splitlines() if l.lstrip().startswith("#")] == \
            [l for l in before.splitlines() if l.lstrip().startswith("#")]
        again = read_document(render_agreement(load_agreement(source)))
        paragraphs = {b.text for b in again.blocks if b.kind == "p"}
        for status, text in expected:
            if status == "absorbed" and text:
                assert text in paragraphs
            if status == "template" and text:
                assert text not in paragraphs  # standard wording is reported, never written
        reviewed_paragraphs = [b.text for b in read_document(doc).blocks if b.kind == "p"
                               and not b.style_name.lower().startswith("toc")]
        new_paragraphs = [b.text for b in again.blocks if b.kind == "p" and not b.style_name.lower().startswith("toc")]
        changed = {t for s, t in expected if s == "template"}
        # apart from standard wording and computed totals, the new document reads as the reviewer left it
        assert len(new_paragraphs) == len(reviewed_paragraphs)
        for a, b in zip(new_paragraphs, reviewed_paragraphs):
            assert a == b or b in changed or "£" in a or any(a == b.replace(o, n) for o, n in renamed.items()), (a, b)


# --------------------------------------------------------------------------- any alliance (tests/alliances.py)


def _share_cells(wf: WordFile) -> list[tuple]:
    """Return the (share paragraph, contribution paragraph) of each force row of each share table."""
    out = []
    for tbl in wf.body.iter(w("tbl")):
        rows = tbl.findall(w("tr"))
        if rows and [text_of(c) for c in rows[0].findall(w("tc"))] == ["Force", "Share", "Annual Contribution"]:
            out.append([(r.findall(w("tc"))[1].find(w("p")), r.findall(w("tc"))[2].find(w("p"))) for r in rows[1:-1]])
    return out


@settings(max_examples=6, deadline=None, suppress_health_check=list(HealthCheck),
          phases=[Phase.explicit, Phase.reuse, Phase.generate])
@given(st.integers(0, 10_000), st.sets(st.sampled_from(["purpose", "new_clause", "holder", "fixed", "computed"]),
                                       min_size=1, max_size=5), st.booleans())
def test_random_alliances_round_trip(seed, kinds, tracked):
    """Any alliance of 2..7 forces: its purposes, a new clause (the file has no `clauses:` yet), an office holder,
    agreed shares moved between two forces, a computed contribution."""
    from .alliances import make_alliance

    with tempfile.TemporaryDirectory() as tmp:
        alliance = make_alliance(Path(tmp), seed)
        path = alliance.agreement
        doc = Path(tmp) / "reviewed.docx"
        doc.write_bytes(render_agreement(load_agreement(path)))
        wf = WordFile(doc)
        edit = wf.track_replace if tracked else wf.retype
        expected: list[tuple[str, str]] = []
        if "purpose" in kinds:
            p = wf.paragraph("To deliver the ")
            new = text_of(p).rstrip(".") + " & the “Board”."
            edit(p, text_of(p), new)
            expected.append(("absorbed", new))
        if "new_clause" in kinds:
            anchor = wf.paragraph("shall act in good faith")
            new = "The Parties shall meet quarterly: {{ in person }}."
            (wf.track_insert_after if tracked else wf.insert_after)(anchor, new, _style(anchor))
            expected.append(("absorbed", new))
        if "holder" in kinds:
            p = next(p for p in wf.body.iter(w("p")) if text_of(p).startswith("Signed by "))
            title = text_of(p).split(", the ", 1)[-1].removeprefix("Signed by the ")
            new = f"Signed by Alex O’Neill, the {title}"
            edit(p, text_of(p), new)
            expected.append(("absorbed", new))
        tables = _share_cells(wf)
        fixed = [fn for fn in alliance.functions if fn["formula"] == "fixed"]
        if "fixed" in kinds and fixed:
            at = [fn["id"] for fn in alliance.functions if fn["formula"]].index(fixed[0]["id"])
            rows = tables[at]
            first, second = Decimal(text_of(rows[0][0]).rstrip("%")), Decimal(text_of(rows[1][0]).rstrip("%"))
            if second > Decimal("0.01"):
                edit(rows[0][0], text_of(rows[0][0]), f"{first + Decimal('0.01')}%")
                edit(rows[1][0], text_of(rows[1][0]), f"{second - Decimal('0.01')}%")
                expected += [("absorbed", ""), ("absorbed", "")]
        if "computed" in kinds and tables:
            cell = tables[-1][-1][1]
            edit(cell, text_of(cell), "£1.00")
            expected.append(("computed", ""))
        wf.save()
        before = path.read_text()
        result = absorb(doc, path)
        assert sorted(c.status for c in result.changes) == sorted(s for s, _ in expected), \
            [(c.status, c.where, c.reason) for c in result.changes]
        assert result.problems == []
        for file in result.files:
            file.path.write_text(file.new_text)
        assert [l for l in path.read_text().splitlines() if "#" in l] == [l for l in before.splitlines() if "#" in l]
        again = read_document(render_agreement(load_agreement(path)))
        paragraphs = {b.text for b in again.blocks if b.kind == "p"}
        for status, text in expected:
            if text:
                assert text in paragraphs
