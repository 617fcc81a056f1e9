"""What the redline could not show as revisions, said by name: to the caller and in the document.

Why: a redline that drops a change silently is worse than none - the reader trusts that
rejecting all gives OLD. Everything the engine cannot compare or cannot mark exactly is a
warning "AREA: what", returned to the caller (the CLI prints them on stderr) and written into
the output's custom document properties (File > Properties > Custom in Word, "Redline not
compared"), so the document itself carries it wherever it is sent.
"""

from __future__ import annotations

from lxml import etree

from ..ooxml import CUSTOM_NS as CP_NS
from ..ooxml import RT_PREFIX, VT_NS
from ..package import Package

RT_CUSTOM = RT_PREFIX + "custom-properties"
CT_CUSTOM = "application/vnd.openxmlformats-officedocument.custom-properties+xml"
FMTID = "{D5CDD505-2E9C-101B-9397-08002B2CF9AE}"
PROPERTY = "Redline not compared"


class Report:
    """The warnings of one redline, in the order found, each once."""

    def __init__(self) -> None:
        self.warnings: list[str] = []

    def add(self, area: str, message: str) -> None:
        text = f"{area}: {message}"
        if text not in self.warnings:
            self.warnings.append(text)

    def write(self, out: Package) -> None:
        """Record the warnings in the package's custom properties (replacing an earlier record)."""
        if not self.warnings:
            return
        name = out.related("", RT_CUSTOM)
        if name is None:
            name = "docProps/custom.xml"
            root = etree.Element(f"{{{CP_NS}}}Properties", nsmap={None: CP_NS, "vt": VT_NS})
            out.set_part(name, b"", CT_CUSTOM)
            out.set_xml(name, root)
            out.rels("").add(RT_CUSTOM, name)
        else:
            root = out.xml(name)
        for prop in root.findall(f"{{{CP_NS}}}property"):
            if prop.get("name") == PROPERTY:
                root.remove(prop)
        pids = [int(p.get("pid")) for p in root.findall(f"{{{CP_NS}}}property") if (p.get("pid") or "").isdigit()]
        prop = etree.SubElement(root, f"{{{CP_NS}}}property",
                                {"fmtid": FMTID, "pid": str(max(pids + [1]) + 1), "name": PROPERTY})
        etree.SubElement(prop, f"{{{VT_NS}}}lpwstr").text = "\n".join(self.warnings)
