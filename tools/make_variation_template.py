"""Make templates/variation.docx once, from the umbrella template (issue 17).

Run from the repository root:

    python tools/make_variation_template.py            # write templates/variation.docx (refused if it exists)
    python tools/make_variation_template.py --force    # write it over the shipped file (its Word edits are lost)

The variation template takes the umbrella's styles, numbering, headers and footers (so that a
variation looks like the agreement it varies, and section/clause numbering works the same),
adds one paragraph style, “Amendment Text” (the text an amendment sets out, indented under
it), and has its own body: cover, parties, recitals, the operative provisions (definitions,
the amendments, accession, renumbering, continuation, counterparts, governing law),
execution, and `{{p schedules }}` where the Schedules are spliced in. After this script has
made it, the file is owned like the other templates: a legal officer edits it in Word, and
`templates check` guards it. So the script refuses to write over the file (a legal officer's
edits would be lost without a word), and no test compares the file with its output: after
it ran, tools/template_edits/issue12b.py gave its headings their outline levels.
"""

from __future__ import annotations

import io
import re
import sys
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "templates" / "umbrella.docx"
TARGET = ROOT / "templates" / "variation.docx"

AMENDMENT_STYLE = (
    '<w:style w:type="paragraph" w:customStyle="1" w:styleId="AmendmentText"><w:name w:val="Amendment Text"/>'
    '<w:basedOn w:val="BodyText"/><w:qFormat/><w:pPr><w:spacing w:after="120"/>'
    '<w:ind w:left="2160" w:hanging="720"/><w:jc w:val="both"/></w:pPr><w:rPr/></w:style>'
    '<w:style w:type="paragraph" w:customStyle="1" w:styleId="ScheduleTitle"><w:name w:val="Schedule Title"/>'
    '<w:basedOn w:val="AppendixTitle"/><w:next w:val="AnnexTitle"/><w:qFormat/><w:pPr><w:keepNext/>'
    '<w:pageBreakBefore/><w:spacing w:before="0" w:after="120"/><w:jc w:val="center"/></w:pPr>'
    '<w:rPr><w:b/><w:bCs/><w:caps/><w:color w:val="1F3864"/><w:sz w:val="32"/><w:szCs w:val="32"/></w:rPr></w:style>'
)


def run(text: str, bold: bool = False) -> str:
    props = "<w:rPr><w:b/></w:rPr>" if bold else ""
    return f'<w:r>{props}<w:t xml:space="preserve">{escape(text)}</w:t></w:r>'


def para(style: str | None, *runs: str, extra: str = "") -> str:
    ppr = f'<w:pPr><w:pStyle w:val="{style}"/>{extra}</w:pPr>' if style else ""
    return f"<w:p>{ppr}{''.join(runs)}</w:p>"


def ref(key: str, number: str) -> str:
    """A cross-reference field to one of this template's own sections (its `_AB_S_` bookmark), as the umbrella has."""
    return (f'<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space="preserve"> REF _AB_S_{key} '
            f'\\r \\h </w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>{number}</w:t>'
            '</w:r><w:r><w:fldChar w:fldCharType="end"/></w:r>')


def text(style: str | None, markup: str, extra: str = "", bookmark: str = "") -> str:
    """A paragraph from markup where **bold** is bold and [[key]] a cross-reference to this template's section `key`."""
    runs = []
    for i, piece in enumerate(re.split(r"\*\*(.+?)\*\*", markup)):
        for j, part in enumerate(re.split(r"\[\[(\w+)\]\]", piece)):
            if j % 2:
                runs.append(ref(part, SECTIONS[part]))
            elif part:
                runs.append(run(part, bold=i % 2 == 1))
    if bookmark:
        runs = [f'<w:bookmarkStart w:id="0" w:name="_AB_S_{bookmark}"/>', *runs, '<w:bookmarkEnd w:id="0"/>']
    return para(style, *runs, extra=extra)


#: This template's own sections that its text refers to, with their numbers (Word recomputes them).
SECTIONS = {"variation": "2"}


def tag(markup: str) -> str:
    return para(None, run(markup))


def body() -> str:
    B, C, I, R, H = "BodyText", "Clause", "ClauseItem", "Recital", "Heading1"
    out = [
        text("Title", "Agreement of Variation"),
        text("Subtitle", "Variation Agreement relating to {{ variation.the_principal_title }} Collaboration Agreement "
                         "dated {{ variation.principal_date }}"),
        text(B, "**{{ agreement.alliance }}**"),
        text(B, "Reference {{ variation.reference }}, version {{ agreement.version }}, {{ agreement.status }}"),
        text(B, "between"),
        tag("{%p for p in parties %}"),
        text(B, "the {{ p.title }}"),
        tag("{%p endfor %}"),
        text("UnnumberedHeading", "Parties", extra="<w:pageBreakBefore/>"),
        text(B, "**This Agreement of Variation** is dated {{ agreement.date }} and is made between:"),
        tag("{%p for p in parties %}"),
        text("Party", "the **{{ p.title }}**{{ p.legal_form }}{% if p.address %}, of {{ p.address }}{% endif %}"
                      "{% if p.accedes %}, which accedes to the Principal Agreement by this Agreement{% endif %}"
                      "{% if loop.last %}.{% else %};{% endif %}"),
        tag("{%p endfor %}"),
        text(B, "Each of them is a **“Party”** and together they are the **“Parties”**."),
        text("UnnumberedHeading", "Recitals"),
        text(B, "**Whereas:**"),
        text(R, "{{ variation.principal_parties }} made a collaboration agreement under section 22A of the Police Act "
                "1996 (the **“Act”**) relating to {{ variation.the_principal_title }}, reference "
                "{{ variation.principal_reference }}, version {{ variation.principal_version }}, dated "
                "{{ variation.principal_date }}."),
        text(R, "Section 22A of the Act enables policing bodies, alone or together with the chief officers of police of "
                "the forces they maintain, to make a collaboration agreement, and a collaboration agreement may be "
                "varied by a further collaboration agreement made in writing, as section 23C of the Act requires. The "
                "Principal Agreement provides in section {{ variation.review_section }} that it may be varied by a "
                "variation agreed by the Parties."),
        tag("{%p if variation.acceding %}"),
        text(R, "{{ variation.acceding }} {{ variation.acceding_wish }} to become {{ variation.acceding_parties }} to "
                "the Principal Agreement, and the other Parties agree."),
        tag("{%p endif %}"),
        tag("{%p if chief_officers_are_parties %}"),
        text(R, "Each Chief Officer thinks that the Principal Agreement as varied by this Agreement is in the interests "
                "of the efficiency or effectiveness of one or more police forces, and each Policing Body thinks that it "
                "is in the interests of the efficiency or effectiveness of one or more policing bodies or police "
                "forces."),
        tag("{%p else %}"),
        text(R, "Each Policing Body thinks that the Principal Agreement as varied by this Agreement is in the interests "
                "of the efficiency or effectiveness of one or more policing bodies or police forces."),
        tag("{%p endif %}"),
        text(B, "**It is agreed** as follows."),
        text(H, "Definitions and Interpretation", extra="<w:pageBreakBefore/>"),
        text(C, "In this Agreement:"),
        text(I, "**“Principal Agreement”** means the collaboration agreement described in recital (A); and"),
        text(I, "**“Variation Date”** means {{ variation.commencement }}."),
        text(C, "Words and expressions defined in the Principal Agreement have the same meanings in this Agreement. A "
                "reference in section [[variation]] to a recital, clause, section, Appendix or Service Specification is to that "
                "provision of the Principal Agreement as numbered before this Agreement."),
        text(H, "Variation of the Principal Agreement", bookmark="variation"),
        text(C, "With effect from the Variation Date the Principal Agreement is varied as follows."),
        tag("{%p for a in amendments %}"),
        text(C, "{{ a.text }}"),
        tag("{%p for q in a.quoted %}"),
        para("AmendmentText", run("{{ q.number }}"), "<w:r><w:tab/></w:r>", run("{{ q.text }}")),
        tag("{%p endfor %}"),
        tag("{%p endfor %}"),
        tag("{%p if not amendments %}"),
        text(C, "No provision of the Principal Agreement is amended by this section."),
        tag("{%p endif %}"),
        tag("{%p if variation.acceding %}"),
        text(H, "Accession"),
        text(C, "With effect from the Variation Date {{ variation.acceding }} {{ variation.acceding_become }} "
                "{{ variation.acceding_parties }} to the Principal Agreement as varied by this Agreement and "
                "{{ variation.acceding_agree }} to be bound by it as if {{ variation.acceding_pronoun }} had been "
                "{{ variation.acceding_original }}."),
        tag("{%p endif %}"),
        text(H, "Renumbering"),
        text(C, "With effect from the Variation Date the recitals, clauses, sub-clauses and Service Specifications of "
                "the Principal Agreement, and the paragraphs of each Service Specification, are renumbered in the order "
                "in which they stand after the amendments in section [[variation]], and every reference to them is read "
                "accordingly."),
        text(H, "Continuation"),
        text(C, "Except as varied by this Agreement, the Principal Agreement continues in full force and effect. The "
                "Principal Agreement and this Agreement are to be read together as one instrument."),
        text(C, "The Schedules form part of this Agreement. Schedule {{ variation.conformed_schedule }} sets out, for "
                "convenience, a conformed copy of the Principal Agreement as varied by this Agreement; if it differs "
                "from the Principal Agreement read with this Agreement, the latter prevails."),
        text(H, "Counterparts"),
        text(C, "This Agreement may be executed in any number of counterparts, each of which is an original and all of "
                "which together constitute one agreement."),
        text(H, "Governing Law"),
        text(C, "This Agreement and any dispute arising from it are governed by the law of England and Wales, and the "
                "courts of England and Wales have exclusive jurisdiction."),
        text("AppendixTitle", "Execution"),
        text(B, "This Agreement has been executed by the Parties on the date stated at its beginning.",
             extra='<w:spacing w:after="360"/>'),
        tag("{%p for p in parties %}"),
        text(B, "**{{ p.signed_by }}**", extra="<w:keepNext/><w:keepLines/>"),
        text(B, "Signature: ……………………………………………………………", extra='<w:keepNext/><w:spacing w:before="480"/>'),
        text(B, "Date: ……………………………………………", extra='<w:spacing w:before="200" w:after="360"/>'),
        tag("{%p endfor %}"),
        tag("{{p schedules }}"),
    ]
    return "".join(out)


def make() -> bytes:
    source = zipfile.ZipFile(SOURCE)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in sorted(source.infolist(), key=lambda i: i.filename):
            data = source.read(info.filename)
            if info.filename == "word/document.xml":
                xml = data.decode("utf-8")
                start = xml.index(">", xml.index("<w:body")) + 1
                end = xml.index("<w:sectPr", start)
                xml = xml[:start] + body() + xml[end:]
                data = xml.encode("utf-8")
            elif info.filename == "word/styles.xml":
                xml = data.decode("utf-8")
                if 'w:styleId="AmendmentText"' not in xml:
                    xml = xml.replace("</w:styles>", AMENDMENT_STYLE + "</w:styles>")
                data = xml.encode("utf-8")
            elif info.filename == "docProps/core.xml":
                data = re.sub(rb"<dc:title>.*?</dc:title>", b"<dc:title>Agreement of Variation</dc:title>", data)
            entry = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(entry, data)
    return out.getvalue()


def main(argv: list[str]) -> int:
    if TARGET.exists() and "--force" not in argv:
        print(f"{TARGET.relative_to(ROOT)} exists and may hold edits made in Word: nothing written "
              "(--force writes over it)", file=sys.stderr)
        return 1
    data = make()
    TARGET.write_bytes(data)
    print(f"wrote {TARGET.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
