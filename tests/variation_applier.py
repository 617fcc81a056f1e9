"""An independent reader and applier of agreements of variation (shares no code with the product).

It reads the signed agreement (OLD) and the new version (NEW) as Word shows them: paragraphs
by style, numbered as Word numbers them (recitals (A), sections 1, clauses 1.1, sub-clauses
(a), Service Specification paragraphs 1 and 1.1); reads the variation's amendments (the
numbered clauses of its section 2, each with the indented text it sets out) and its
Schedules; applies every amendment to OLD, citing OLD's numbers; renumbers; and returns the
result, to be compared with NEW. A sentence it cannot parse, or a quote it does not find
exactly once, is an error (AssertionError), never skipped.
"""

from __future__ import annotations

import io
import re
import zipfile

from lxml import etree

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _w(tag: str) -> str:
    return f"{{{W}}}{tag}"


def _text(p) -> str:
    out = []
    for el in p.iter(_w("t"), _w("tab"), _w("br")):
        if el.tag == _w("t"):
            out.append(el.text or "")
        elif el.tag == _w("tab"):
            out.append("\t")
        else:
            out.append("\n")
    return "".join(out)


def _style(p) -> str:
    s = p.find(f"{_w('pPr')}/{_w('pStyle')}")
    return s.get(_w("val")) if s is not None else ""


def _bookmarks(p) -> list[str]:
    return [b.get(_w("name")) for b in p.iter(_w("bookmarkStart"))]


def body_blocks(data: bytes) -> list:
    root = etree.fromstring(zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml"))
    return [b for b in root.find(_w("body")) if b.tag in (_w("p"), _w("tbl"))]


def _rows(tbl) -> list[str]:
    return ["\t".join("\n".join(_text(p) for p in tc.iter(_w("p"))) for tc in tr.findall(_w("tc")))
            for tr in tbl.findall(_w("tr"))]


def _letters(n: int, upper=False) -> str:
    base = "ABCDEFGHIJKLMNOPQRSTUVWXYZ" if upper else "abcdefghijklmnopqrstuvwxyz"
    return base[(n - 1) % 26] * ((n - 1) // 26 + 1)


# ---------------------------------------------------------------------------- an agreement, as cited


def read_agreement(data: bytes) -> dict:
    """Return {recitals: [{label, text}], sections: [[{label, text, items: [{label, text}]}]],
    appendices: {number: [texts]}, specs: [{label, name, blocks}]} numbered as Word shows them."""
    return read_blocks(body_blocks(data))


def read_blocks(blocks: list) -> dict:
    """Return the document (as `read_agreement`) of a list of body blocks."""
    doc = {"recitals": [], "sections": [], "appendices": {}, "specs": []}
    area = "front"
    for block in blocks:
        if block.tag == _w("tbl"):
            if area == "appendix":
                doc["appendices"][len(doc["appendices"])] += _rows(block)
            elif area == "spec":
                doc["specs"][-1]["blocks"].append(("tbl", "\n".join(_rows(block))))
            continue
        style, text = _style(block), _text(block)
        if style == "Recital" and area == "front":
            doc["recitals"].append({"label": _letters(len(doc["recitals"]) + 1, True), "text": text})
        elif style == "Heading1":
            area = "part_a"
            doc["sections"].append([])
        elif style == "Clause" and area == "part_a":
            sec = doc["sections"][-1]
            sec.append({"label": f"{len(doc['sections'])}.{len(sec) + 1}", "text": text, "items": []})
        elif style == "ClauseItem" and area == "part_a":
            clause = doc["sections"][-1][-1]
            clause["items"].append({"label": _letters(len(clause["items"]) + 1), "text": text})
        elif style == "AppendixTitle":
            if re.match(r"Appendix \d+: ", text):
                area = "appendix"
                doc["appendices"][len(doc["appendices"]) + 1] = [text]
            else:
                area = "execution"
        elif style == "PartHeading":
            area = "part_b" if doc["sections"] else "front"
        elif style == "AnnexTitle":
            area = "spec"
            doc["specs"].append({"name": text.split(": ", 1)[1], "blocks": []})
        elif area == "appendix":
            doc["appendices"][len(doc["appendices"])].append(text)
        elif area == "spec":
            doc["specs"][-1]["blocks"].append((style, text))
    return doc


# ---------------------------------------------------------------------------- the variation


def read_variation(data: bytes) -> tuple[list[tuple[str, list[str]]], dict[int, dict]]:
    """Return the amendments [(sentence, [set-out paragraphs])] and the Schedules {n: {kind, name, blocks, texts}}."""
    amendments: list[tuple[str, list[str]]] = []
    schedules: dict[int, dict] = {}
    sections = 0
    clause_no = 0
    current = None
    for block in body_blocks(data):
        style = _style(block) if block.tag == _w("p") else "tbl"
        text = _text(block) if block.tag == _w("p") else ""
        if style == "ScheduleTitle":
            current = {"number": int(text.split()[-1]), "blocks": [], "texts": [], "name": None}
            schedules[current["number"]] = current
            continue
        if current is not None:
            if style == "Subtitle" and text == "The Principal Agreement as varied (conformed copy)" \
                    and not current["blocks"] and current["name"] is None:
                current["kind"], current["name"] = "conformed", text
            elif current.get("kind") == "conformed":
                current["blocks"].append(block)
            elif style == "AnnexTitle":
                current["kind"], current["name"] = "spec", text.split(": ", 1)[1]
            elif style == "AppendixTitle" and current["name"] is None:
                current["kind"], current["name"] = "appendix", text
                current["texts"].append(text)
            elif current.get("kind") == "spec":
                current["blocks"].append(("tbl", "\n".join(_rows(block))) if style == "tbl" else (style, text))
            elif current.get("kind") == "appendix":
                current["texts"] += _rows(block) if style == "tbl" else [text]
            continue
        if style == "Heading1":
            sections += 1
            clause_no = 0
        elif sections == 2 and style == "Clause":
            clause_no += 1
            if clause_no > 1 and text != "No provision of the Principal Agreement is amended by this section.":
                amendments.append((text, []))
        elif sections == 2 and style == "AmendmentText":
            amendments[-1][1].append(text)
    return amendments, schedules


# ---------------------------------------------------------------------------- applying


Q = "“([^“”]*)”"


def _once(text: str, quote: str, where: str) -> int:
    at = text.find(quote)
    assert at >= 0 and text.find(quote, at + 1) < 0, f"{where}: “{quote}” is not found exactly once in {text!r}"
    return at


def apply_words(text: str, phrase: str, where: str) -> str:
    """Apply "for “A” substitute “B”[ in each place it occurs]", "omit “A”" or "after “A” insert “B”"."""
    if m := re.fullmatch(f"for {Q} substitute {Q} in each place it occurs", phrase):
        assert m.group(1) in text, f"{where}: “{m.group(1)}” does not occur"
        return text.replace(m.group(1), m.group(2))
    if m := re.fullmatch(f"for {Q} substitute {Q}", phrase):
        at = _once(text, m.group(1), where)
        return text[:at] + m.group(2) + text[at + len(m.group(1)):]
    if m := re.fullmatch(f"omit {Q}", phrase):
        at = _once(text, m.group(1), where)
        assert at > 0 and text[at - 1] == " ", f"{where}: no space before “{m.group(1)}”"
        return text[:at - 1] + text[at + len(m.group(1)):]
    if m := re.fullmatch(f"after {Q} insert {Q}", phrase):
        at = _once(text, m.group(1), where) + len(m.group(1))
        return text[:at] + " " + m.group(2) + text[at:]
    raise AssertionError(f"{where}: cannot parse {phrase!r}")


class Applier:
    def __init__(self, old: dict, schedules: dict[int, dict]):
        self.doc = old
        self.schedules = schedules
        for spec, number in zip(old["specs"], range(1, len(old["specs"]) + 1)):
            spec["label"] = str(number)

    # where things are, by OLD's numbers
    def recital(self, label: str) -> dict:
        return next(r for r in self.doc["recitals"] if r.get("label") == label)

    def clause(self, label: str) -> tuple[list, dict]:
        for sec in self.doc["sections"]:
            for clause in sec:
                if clause.get("label") == label:
                    return sec, clause
        raise AssertionError(f"no clause {label}")

    def target(self, cite: str) -> tuple[list, dict]:
        """Return (the list holding it, the item) for "recital (B)", "clause 8.2", "clause 7.3(c)"."""
        if m := re.fullmatch(r"recital \((\w+)\)", cite):
            return self.doc["recitals"], self.recital(m.group(1))
        if m := re.fullmatch(r"clause ([\d.]+)\((\w+)\)", cite):
            _, clause = self.clause(m.group(1))
            return clause["items"], next(i for i in clause["items"] if i.get("label") == m.group(2))
        if m := re.fullmatch(r"clause ([\d.]+)", cite):
            return self.clause(m.group(1))
        raise AssertionError(f"cannot cite {cite!r}")

    def definition(self, term: str) -> tuple[list, dict]:
        _, clause = self.clause("1.1")
        item = next(i for i in clause["items"] if i["text"].startswith(f"“{term}”"))
        return clause["items"], item

    def spec(self, number: str) -> dict:
        return next(s for s in self.doc["specs"] if s.get("label") == number)

    def apply(self, sentence: str, quoted: list[str]) -> None:
        s = sentence
        # Part A and recitals: word-level
        if m := re.fullmatch(r"In ((?:recitals?|clauses?|paragraphs?) [^“]+?), (for .+ in each place it occurs)\.", s):
            names = {s_["label"]: s_["name"] for s_ in self.doc["specs"] if s_.get("label")}
            for cite in _cites(m.group(1), names):
                if cite.startswith("paragraph "):
                    number, _, spec = cite.removeprefix("paragraph ").partition(" of ")
                    blocks = self.spec(spec)["blocks"]
                    k = self.paragraph_index(blocks, number, s)
                    blocks[k] = (blocks[k][0], apply_words(blocks[k][1], m.group(2), s))
                    continue
                _, item = self.target(cite)
                item["text"] = apply_words(item["text"], m.group(2), s)
            return
        if m := re.fullmatch(f"In clause 1\\.1, in the definition of {Q}, (.+)\\.", s):
            _, item = self.definition(m.group(1))
            item["text"] = apply_words(item["text"], m.group(2), s)
            return
        if m := re.fullmatch(r"In (recital \(\w+\)|clause [\d.]+(?:\(\w+\))?), ((?:for|omit|after) .+)\.", s):
            _, item = self.target(m.group(1))
            item["text"] = apply_words(item["text"], m.group(2), s)
            return
        # whole provisions
        if m := re.fullmatch(f"In clause 1\\.1, omit the definition of {Q}\\.", s):
            items, item = self.definition(m.group(1))
            items.remove(item)
            return
        if m := re.fullmatch(f"In clause 1\\.1, for the definition of {Q} substitute—", s):
            items, item = self.definition(m.group(1))
            items[items.index(item)] = {"text": quoted[0].partition("\t")[2], "label": item.get("label")}
            return
        if m := re.fullmatch(f"In clause 1\\.1, (after|before) the definition of {Q} insert—", s):
            items, item = self.definition(m.group(2))
            at = items.index(item) + (1 if m.group(1) == "after" else 0)
            items[at:at] = [{"text": q.partition("\t")[2]} for q in quoted]
            return
        if m := re.fullmatch(r"Omit (recital \(\w+\)|clause [\d.]+(?:\(\w+\))?)\.", s):
            items, item = self.target(m.group(1))
            items.remove(item)
            return
        if m := re.fullmatch(r"For (recital \(\w+\)|clause [\d.]+(?:\(\w+\))?) substitute—", s):
            items, item = self.target(m.group(1))
            (replacement,) = self.new_items(m.group(1), quoted)
            replacement["label"] = item.get("label")  # the provision substituted stands in its place
            items[items.index(item)] = replacement
            return
        if m := re.fullmatch(r"(After|Before) (recital \(\w+\)|clause [\d.]+(?:\(\w+\))?) insert—", s):
            items, item = self.target(m.group(2))
            at = items.index(item) + (1 if m.group(1) == "After" else 0)
            items[at:at] = self.new_items(m.group(2), quoted)
            return
        if m := re.fullmatch(r"At the end of (the recitals|section (\d+) \(.*\)|clause ([\d.]+)) insert—", s):
            if m.group(2):
                items, cite = self.doc["sections"][int(m.group(2)) - 1], "clause"
            elif m.group(3):
                items, cite = self.clause(m.group(3))[1]["items"], "clause 1.1(a)"
            else:
                items, cite = self.doc["recitals"], "recital"
            if m.group(3) == "1.1" and any(i["text"].startswith("“") for i in items):
                items.extend({"text": q.partition("\t")[2]} for q in quoted)
            else:
                items.extend(self.new_items(cite, quoted))
            return
        # Part B and appendices
        if m := re.fullmatch(r"For Service Specification (\d+) \((.*)\) substitute the Service Specification set out "
                             r"in Schedule (\d+)\.", s):
            spec = self.spec(m.group(1))
            assert spec["name"] == m.group(2), s
            specs = self.doc["specs"]
            specs[specs.index(spec)] = {**self.scheduled(int(m.group(3))), "label": spec["label"]}
            return
        if m := re.fullmatch(r"Omit Service Specification (\d+) \((.*)\)\.", s):
            spec = self.spec(m.group(1))
            assert spec["name"] == m.group(2), s
            self.doc["specs"].remove(spec)
            return
        if m := re.fullmatch(r"(After Service Specification|Before Service Specification|At the end of Part B)(?: (\d+))? "
                             r"insert the Service Specifications? set out in Schedules? ([\d, and]+?)(?:, in that order)?\.", s):
            specs = self.doc["specs"]
            if m.group(2):
                at = specs.index(self.spec(m.group(2))) + (1 if m.group(1).startswith("After") else 0)
            else:
                at = len(specs)
            numbers = [int(n) for n in re.findall(r"\d+", m.group(3))]
            specs[at:at] = [self.scheduled(n) for n in numbers]
            return
        if m := re.fullmatch(r"For Appendix (\d+) \((.*)\) substitute the Appendix set out in Schedule (\d+)\.", s):
            schedule = self.schedules[int(m.group(3))]
            assert schedule["kind"] == "appendix", s
            self.doc["appendices"][int(m.group(1))] = list(schedule["texts"])
            return
        if m := re.fullmatch(r"In paragraph ([\d.]+) of Service Specification (\d+) \((.*?)\), (?:(in the table(?: headed "
                             f"{Q})?), in the row for (.+?), )?((?:for|omit|after) .+)\\.", s):
            self.spec_words(m, s)
            return
        raise AssertionError(f"cannot parse the amendment {s!r}")

    def new_items(self, cite: str, quoted: list[str]) -> list[dict]:
        """Return the provisions set out: a clause with its sub-clauses, or recitals or sub-clauses."""
        out: list[dict] = []
        for line in quoted:
            number, _, text = line.partition("\t")
            if cite.startswith("clause") and "(" not in cite and not number.startswith("("):
                out.append({"text": text, "items": [], "set_out": number})
            elif cite.startswith("clause") and "(" not in cite:
                out[-1]["items"].append({"text": text, "set_out": number})
            else:
                out.append({"text": text, "set_out": number})
        return out

    def scheduled(self, number: int) -> dict:
        schedule = self.schedules[number]
        assert schedule["kind"] == "spec", f"Schedule {number} is not a Service Specification"
        return {"name": schedule["name"], "blocks": list(schedule["blocks"])}

    @staticmethod
    def paragraph_index(blocks: list, wanted: str, s: str) -> int:
        """Return where paragraph `wanted` ("6.3") of a Service Specification is among its blocks, numbered as Word does."""
        heading = clause = 0
        for k, (style, _) in enumerate(blocks):
            if style == "AnnexHeading":
                heading, clause = heading + 1, 0
                number = str(heading)
            elif style == "AnnexClause":
                clause += 1
                number = f"{heading}.{clause}"
            else:
                continue
            if number == wanted:
                return k
        raise AssertionError(f"{s}: no paragraph {wanted}")

    def spec_words(self, m, s: str) -> None:
        spec = self.spec(m.group(2))
        assert spec["name"] == m.group(3), s
        blocks = spec["blocks"]
        index = self.paragraph_index(blocks, m.group(1), s)
        if not m.group(4):
            style, text = blocks[index]
            blocks[index] = (style, apply_words(text, m.group(7), s))
            return
        # the table after the paragraph (headed by the label above it, when given)
        k = index + 1
        label = m.group(5)
        while True:
            assert k < len(blocks), f"{s}: table not found"
            style, text = blocks[k]
            if style == "tbl" and (label is None or blocks[k - 1][1] == label):
                break
            assert style not in ("AnnexHeading", "AnnexClause"), f"{s}: table not found"
            k += 1
        rows = blocks[k][1].split("\n")
        row = [r for r in rows if r.split("\t")[0] == m.group(6)]
        assert len(row) == 1, f"{s}: no single row for {m.group(6)}"
        cells = row[0].split("\t")
        quote = re.search(Q, m.group(7)).group(1)
        hits = [i for i, c in enumerate(cells) if quote in c]
        assert len(hits) == 1 and hits[0] > 0, f"{s}: “{quote}” is not in exactly one cell"
        cells[hits[0]] = apply_words(cells[hits[0]], m.group(7), s)
        rows[rows.index(row[0])] = "\t".join(cells)
        blocks[k] = ("tbl", "\n".join(rows))


def _cites(text: str, names: dict[str, str]) -> list[str]:
    """Return ["recital (C)", "clause 6.1", "paragraph 1.2 of 1", ...] from "recitals (C) and (F), clauses 1.1(c),
    6.1 and 8.2 and paragraphs 1.2 and 5.1 of Service Specification 1 (Name)" (`names`: OLD's, by number)."""
    out: list[str] = []
    pos = 0
    keyword = re.compile(r"(recitals?|clauses?|paragraphs?) ")
    label = re.compile(r"[\w.]+(?:\(\w+\))?|\(\w+\)")
    while pos < len(text):
        m = keyword.match(text, pos)
        assert m, f"cannot read the citations {text!r} at {pos}"
        kind, pos = m.group(1).rstrip("s"), m.end()
        labels = []
        while True:
            lm = label.match(text, pos)
            assert lm, f"cannot read the citations {text!r} at {pos}"
            labels.append(lm.group(0))
            pos = lm.end()
            sep = next((x for x in (", ", " and ") if text.startswith(x, pos)), None)
            if sep and label.match(text, pos + len(sep)) and not keyword.match(text, pos + len(sep)):
                pos += len(sep)
                continue
            break
        if kind == "paragraph":
            sm = re.compile(r" of Service Specification (\d+) \(").match(text, pos)
            assert sm and text.startswith(names[sm.group(1)] + ")", sm.end()), f"cannot read {text!r} at {pos}"
            pos = sm.end() + len(names[sm.group(1)]) + 1
            labels = [f"{x} of {sm.group(1)}" for x in labels]
        out += [f"{kind} {x}" for x in labels]
        sep = next((x for x in (", ", " and ") if text.startswith(x, pos)), None)
        if sep:
            pos += len(sep)
        else:
            assert pos == len(text), f"cannot read the citations {text!r} at {pos}"
    return out


def renumbered(doc: dict) -> dict:
    """Return the comparable content: texts in order (numbers follow from the order, as in Word)."""
    return {
        "recitals": [r["text"] for r in doc["recitals"]],
        "sections": [[(c["text"], [i["text"] for i in c["items"]]) for c in sec] for sec in doc["sections"]],
        "appendices": dict(doc["appendices"]),
        "specs": [(s["name"], s["blocks"]) for s in doc["specs"]],
    }


def set_out_numbers(doc: dict) -> list[tuple[str, str]]:
    """Return (number set out in an amendment, number the provision has after renumbering) for every inserted one."""
    out = []
    for n, r in enumerate(doc["recitals"], 1):
        if "set_out" in r:
            out.append((r["set_out"], f"({_letters(n, True)})"))
    for s, sec in enumerate(doc["sections"], 1):
        for c, clause in enumerate(sec, 1):
            if "set_out" in clause:
                out.append((clause["set_out"], f"{s}.{c}"))
            for i, item in enumerate(clause["items"], 1):
                if item.get("set_out"):
                    out.append((item["set_out"], f"({_letters(i)})"))
    return out


def apply_variation(old_docx: bytes, variation_docx: bytes) -> dict:
    """Return OLD with every amendment of the variation applied (the applier's document, for `renumbered`)."""
    old = read_agreement(old_docx)
    amendments, schedules = read_variation(variation_docx)
    applier = Applier(old, schedules)
    for sentence, quoted in amendments:
        applier.apply(sentence, quoted)
    return applier.doc


def check_variation(old_docx: bytes, new_docx: bytes, variation_docx: bytes) -> int:
    """Assert that applying the variation to OLD gives NEW exactly; return how many amendments were applied."""
    doc = apply_variation(old_docx, variation_docx)
    got, want = renumbered(doc), renumbered(read_agreement(new_docx))
    for key in want:
        assert got[key] == want[key], f"{key} differ after applying the variation"
    for set_out, final in set_out_numbers(doc):
        assert set_out == final, f"a provision set out as {set_out} is numbered {final} once renumbered"
    # the last Schedule sets out the Principal Agreement as varied: it reads as NEW
    schedules = read_variation(variation_docx)[1]
    last = schedules[max(schedules)]
    assert last.get("kind") == "conformed", "the last Schedule is not the conformed copy"
    conformed = renumbered(read_blocks(last["blocks"]))
    for key in want:
        assert conformed[key] == want[key], f"{key} of the conformed copy differ from NEW"
    return len(read_variation(variation_docx)[0])
