"""Edits of a YAML file that change only the values they are about: every other byte stays.

Why: an agreement file is a document people write and read: its comments, key order,
quoting, folded paragraphs and blank lines carry meaning. A round-trip library reloads and
re-emits the whole file (re-flowing long scalars, normalising indentation). Here each edit is
a splice at the exact characters of the value it changes (`loader.node_spans`): a scalar is
re-written in the style it had (plain, quoted, folded), a list item is inserted or removed as
whole lines at the indentation of its neighbours, a missing key is added at the end of its
mapping. The result is read back by the loader and every edited value compared with what was
meant before anything is written; `write` replaces the file atomically.

The loader is the only module that imports a YAML library; this one works on its spans.
"""

from __future__ import annotations

import codecs
import datetime as dt
import os
import re
import stat
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from .errors import AgreementBuilderError
from .loader import NodeSpan, load_yaml_text, node_spans
from .package import atomic_write

#: Folded paragraphs are wrapped at this width (the examples' own).
WRAP = 96


class EditError(AgreementBuilderError):
    """An edit this module cannot make safely (the caller reports the change as not absorbed)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

    def format(self) -> str:
        return f"error: {self.message}"


@dataclass(frozen=True)
class Edit:
    """One change of the data: set a value, insert a list item, or remove one.

    `path` is the loader's data path: for "set" the value's, for "insert" the list's followed by
    the index the new item takes, for "remove" the item's. `value` is plain data: str, Decimal,
    int, date, or a dict of those (a new clause `{"id": ..., "text": ...}`).
    """

    op: str  # "set" | "insert" | "remove"
    path: tuple
    value: Any = None


@dataclass
class Result:
    """The edited text, and the 1-based line where each edit landed (same order as the edits)."""

    text: str
    lines: list[int] = field(default_factory=list)
    loaded: Any = None  # the edited text as the loader reads it (`loader.Loaded`)


# --------------------------------------------------------------------------- writing scalars


_PLAIN_SAFE = re.compile(r"^[^\s\-?:,\[\]{}#&*!|>'\"%@`][^\n]*$")


def _double_quoted(text: str) -> str:
    out = []
    for ch in text:
        if ch == "\\":
            out.append("\\\\")
        elif ch == '"':
            out.append('\\"')
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ord(ch) < 0x20 or ch in "\x7f\x85\u2028\u2029":
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def _reads_back(emitted: str, value: Any) -> bool:
    try:
        data = load_yaml_text(f"k: {emitted}\n", "<edit>").data
    except AgreementBuilderError:  # does not load: this way of writing it is not used
        return False
    return isinstance(data, dict) and _same(data.get("k"), value)


def _same(found: Any, meant: Any) -> bool:
    if isinstance(meant, (Decimal, int)) and not isinstance(meant, bool):
        # a figure reads the same quoted or not (models read numbers from the digits as written)
        return isinstance(found, (Decimal, int, str)) and not isinstance(found, bool) and str(found) == str(meant)
    if isinstance(meant, dict):
        return isinstance(found, dict) and found.keys() == meant.keys() and all(_same(found[k], meant[k]) for k in meant)
    if isinstance(meant, list):
        return isinstance(found, list) and len(found) == len(meant) and all(map(_same, found, meant))
    return type(found) is type(meant) and found == meant


def _fold(text: str, indent: str, width: int = WRAP, previous: list[str] = ()) -> list[str] | None:
    """Return `text` as the lines of a folded block scalar (None when folding cannot keep it exact).

    `previous`: the lines (without indentation) the value was folded into before; those at its
    start and end whose words did not change are kept as they were, so a diff shows only the
    lines that changed.
    """
    if not text or text != text.strip() or "\n" in text or "\t" in text or "  " in text:
        return None
    head: list[str] = []
    for line in previous:
        if text.startswith(line + " "):
            head.append(line)
            text = text[len(line) + 1:]
        else:
            break
    tail: list[str] = []
    for line in reversed(previous[len(head):]):
        if text.endswith(" " + line):
            tail.insert(0, line)
            text = text[: -len(line) - 1]
        else:
            break
    lines, line = [], ""
    for word in text.split(" "):
        if line and len(indent) + len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    lines.append(line)
    return [indent + line for line in head + lines + tail]


def emit_scalar(value: Any, style: str | None, indent: str, header: str = ">-", previous: list[str] = ()) -> str:
    """Return `value` written as a YAML scalar in `style` where that reads back exactly, else double-quoted.

    A block scalar ("|" / ">") is its header and then its lines at `indent`; the text after it
    starts on the next line.
    """
    if isinstance(value, bool) or value is None:
        raise EditError("only text, numbers and dates are written")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (Decimal, int)):
        plain = str(value)
        return f'{style}{plain}{style}' if style in ("'", '"') else plain
    text = str(value)
    if style == "auto":  # a new value: plain when it can be, folded when long, else quoted
        if len(indent) + len(text) <= WRAP and _plain_ok(text):
            return text
        if len(indent) + len(text) + 2 <= WRAP or _fold(text, indent) is None:
            return _double_quoted(text)
        style = ">"
    if style == ">":
        lines = _fold(text, indent, previous=previous)
        if lines is not None:
            emitted = header + "\n" + "\n".join(lines)
            if _reads_back(emitted.replace("\n" + indent, "\n  "), text):
                return emitted
    if style == "|" and text and "\n" in text and text == text.strip("\n") and not text.startswith(" "):
        emitted = header + "\n" + "\n".join(indent + line if line else "" for line in text.split("\n"))
        if _reads_back(emitted.replace("\n" + indent, "\n  "), text):
            return emitted
    if style == "'" and "\n" not in text and text == text.strip():
        quoted = "'" + text.replace("'", "''") + "'"
        if _reads_back(quoted, text):
            return quoted
    if style in (None, ">", "|") and len(text) < 200 and _plain_ok(text):
        return text
    return _double_quoted(text)


def _plain_ok(text: str) -> bool:
    return bool(_PLAIN_SAFE.match(text)) and " #" not in text and ": " not in text and not text.endswith(":") \
        and text == text.strip() and _reads_back(text, text)


# --------------------------------------------------------------------------- locating


def _line_start(text: str, index: int) -> int:
    return text.rfind("\n", 0, index) + 1


def _next_line(text: str, index: int) -> int:
    """Return the offset of the line after the one `index` ends (the end of text if none)."""
    if index > 0 and text[index - 1] == "\n":
        return index
    nl = text.find("\n", index)
    return len(text) if nl < 0 else nl + 1


def _block_header(text: str, span: NodeSpan) -> str:
    match = re.match(r"[|>][0-9+-]*", text[span.start:span.end])
    return match.group(0) if match else ">-"


def _content_indent(text: str, span: NodeSpan, fallback: str) -> str:
    first = _next_line(text, span.start + 1)
    match = re.match(r"[ ]+", text[first:span.end])
    return match.group(0) if match else fallback


def _item_prefix(text: str, span: NodeSpan) -> tuple[int, str]:
    """Return (offset of the line start, the characters before the value: "    - ") of a block list item."""
    start = _line_start(text, span.start)
    prefix = text[start:span.start]
    if not re.fullmatch(r"[ ]*-[ ]+", prefix):
        raise EditError("a list item that does not start its own line is not edited")
    return start, prefix


def _emit_item(value: Any, prefix: str) -> str:
    """Return the lines of a new block list item (ending in a newline)."""
    pad = " " * len(prefix)
    if isinstance(value, dict):
        lines = []
        for n, (key, v) in enumerate(value.items()):
            lead = prefix if n == 0 else pad
            lines.append(f"{lead}{key}: {emit_scalar(v, 'auto', pad + '  ')}")
        return "\n".join(lines) + "\n"
    return f"{prefix}{emit_scalar(value, 'auto', pad)}\n"


# --------------------------------------------------------------------------- applying


def apply(text: str, edits: list[Edit], label: str = "<yaml>", *, data: Any = None) -> Result:
    """Return `text` with `edits` made, checked by reading it back; raise EditError when one cannot be made.

    `data`: `text` as the loader reads it, when the caller has it already.
    Edits refer to the paths of `text` as it is (not as earlier edits leave it); several inserts
    at one index keep their order.
    """
    spans = node_spans(text)
    splices: list[tuple[int, int, int, str]] = []  # (start, end, order, new text)
    for order, edit in enumerate(edits):
        splices.append((*_splice(text, spans, edit), order))
    out = text
    # from the end backwards; at one offset a removal first, then inserts so that the first edit comes first
    for start, end, new, _order in sorted(splices, key=lambda s: (s[0], s[1] > s[0], s[3]), reverse=True):
        out = out[:start] + new + out[end:]
    result = Result(out)
    result.loaded = _check(text, out, edits, label, data)
    after = node_spans(out)
    expected = _shifted_paths(edits)
    for path in expected:
        span = after.get(path)
        while span is None and path:
            path = path[:-1]
            span = after.get(path)
        result.lines.append(span.line if span else 1)
    return result


def _splice(text: str, spans: dict[tuple, NodeSpan], edit: Edit) -> tuple[int, int, str]:
    if edit.op == "set":
        span = spans.get(edit.path)
        if span is None:
            return _add_key(text, spans, edit.path, edit.value)
        if span.kind != "scalar":
            raise EditError("only a single value is replaced")
        indent = _content_indent(text, span, " " * (span.column + 1)) if span.style in ("|", ">") else \
            " " * (span.column + 1)
        if span.style in ("|", ">"):
            previous = [line.strip() for line in text[span.start:span.end].split("\n")[1:] if line.strip()]
            new = emit_scalar(edit.value, span.style, indent, _block_header(text, span), previous)
            end = span.end
            # a block scalar's span takes the line break after it; keep that break
            while end > span.start and text[end - 1] == "\n":
                end -= 1
            return span.start, end, new
        new = emit_scalar(edit.value, span.style, indent)
        if "\n" in new:
            raise EditError("a value on one line does not become several")
        return span.start, span.end, new
    if edit.op == "insert":
        *list_path, index = edit.path
        seq = spans.get(tuple(list_path))
        if seq is None:
            return _add_key(text, spans, tuple(list_path), [edit.value])
        if seq.kind != "seq" or seq.style != "block":
            raise EditError("items are inserted only into a list written one item per line")
        count = sum(1 for p in spans if len(p) == len(list_path) + 1 and p[:-1] == tuple(list_path))
        if count == 0:
            raise EditError("an empty list is not edited")
        ref = spans[tuple(list_path) + (min(index, count - 1),)]
        start, prefix = _item_prefix(text, ref)
        new = _emit_item(edit.value, prefix)
        if index < count:
            return start, start, new
        at = _item_end(text, spans, tuple(list_path), count - 1)
        return at, at, new
    if edit.op == "remove":
        *list_path, index = edit.path
        list_path = tuple(list_path)
        count = sum(1 for p in spans if len(p) == len(list_path) + 1 and p[:-1] == list_path)
        seq = spans.get(list_path)
        if seq is None or seq.kind != "seq" or seq.style != "block" or index >= count:
            raise EditError("items are removed only from a list written one item per line")
        if count == 1:  # the list becomes empty: `key: []`
            start = seq.start
            if seq.key_start is not None:
                colon = text.find(":", seq.key_start)
                if 0 <= colon < seq.start and not text[colon + 1:seq.start].strip():
                    return colon + 1, _trim_end(text, seq.end), " []"
            return start, _trim_end(text, seq.end), "[]"
        start, _prefix = _item_prefix(text, spans[list_path + (index,)])
        end = _item_end(text, spans, list_path, index)
        return start, end, ""
    raise EditError(f"unknown edit {edit.op}")


def _trim_end(text: str, end: int) -> int:
    while end > 0 and text[end - 1] in "\n ":
        end -= 1
    return end


def _item_end(text: str, spans: dict[tuple, NodeSpan], list_path: tuple, index: int) -> int:
    """Return the offset just past the last line of item `index` (comments after it stay)."""
    deepest = max((s.end for p, s in spans.items() if p[:len(list_path) + 1] == list_path + (index,)))
    return _next_line(text, _trim_end(text, deepest))


def _add_key(text: str, spans: dict[tuple, NodeSpan], path: tuple, value: Any) -> tuple[int, int, str]:
    """Return the splice that adds `path`'s last key, with `value`, at the end of its (block) mapping."""
    *parent_path, key = path
    parent_path = tuple(parent_path)
    parent = spans.get(parent_path)
    if parent is None:
        if len(parent_path) == 1 and () in spans and spans[()].kind == "map":
            return _add_key(text, spans, parent_path, {key: value})
        raise EditError("the place for this value does not exist in the file")
    if parent.kind != "map" or parent.style != "block":
        raise EditError("keys are added only to a mapping written one key per line")
    children = [(p, s) for p, s in spans.items() if len(p) == len(parent_path) + 1 and p[:-1] == parent_path]
    if not children:
        raise EditError("an empty mapping is not edited")
    first = min(children, key=lambda c: c[1].key_start or c[1].start)[1]
    ks = first.key_start if first.key_start is not None else first.start
    indent = text[_line_start(text, ks):ks]
    if indent.strip():
        raise EditError("a key that does not start its own line is not edited")
    end = max(s.end for p, s in spans.items() if p[:len(parent_path)] == parent_path and len(p) > len(parent_path))
    # a new top-level key goes at the end of the file (after any blank line that ends it)
    at = len(text) if not parent_path else _next_line(text, _trim_end(text, end))
    lines = _emit_mapping_entry(key, value, indent)
    if at == len(text) and text and not text.endswith("\n"):
        lines = "\n" + lines
    return at, at, lines


def _emit_mapping_entry(key: str, value: Any, indent: str) -> str:
    if isinstance(value, dict):
        inner = "".join(_emit_mapping_entry(k, v, indent + "  ") for k, v in value.items())
        return f"{indent}{key}:\n{inner}"
    if isinstance(value, list):
        return f"{indent}{key}:\n" + "".join(_emit_item(v, indent + "  - ") for v in value)
    return f"{indent}{key}: {emit_scalar(value, 'auto', indent + '  ')}\n"


def _shifted_paths(edits: list[Edit]) -> list[tuple]:
    """Return where each edit's value is after all the edits (list indices move with inserts and removals)."""
    out = []
    for n, edit in enumerate(edits):
        path = list(edit.path)
        for other in edits:
            if other is edit or other.op == "set":
                continue
            olist, oindex = other.path[:-1], other.path[-1]
            depth = len(olist)
            if tuple(path[:depth]) == tuple(olist) and len(path) > depth:
                mine = path[depth]
                if other.op == "insert" and (oindex < mine or (oindex == mine and edits.index(other) < n
                                                                and edit.op == "insert")):
                    path[depth] += 1
                elif other.op == "remove" and oindex < mine:
                    path[depth] -= 1
        out.append(tuple(path))
    return out


def _check(before: str, after: str, edits: list[Edit], label: str, old: Any = None):
    """Read `after` back and compare it with `before`'s data with the edits applied; raise EditError if they differ.

    Return what the loader read of `after`.
    """
    try:
        if old is None:
            old = load_yaml_text(before, label).data
        loaded = load_yaml_text(after, label)
        new = loaded.data
    except AgreementBuilderError as exc:
        raise EditError(f"the edited file would not read back: {exc.format()}") from None
    expected = _expected(old, edits)
    if not _same(new, expected):
        raise EditError("the edited file would not read back as meant (an edit was not made exactly)")
    return loaded


def _expected(data: Any, edits: list[Edit]) -> Any:
    import copy

    data = copy.deepcopy(data)
    # removals and inserts change indices: make them from the end, per list, as `apply` does on text
    sets = [e for e in edits if e.op == "set"]
    moves = [(n, e) for n, e in enumerate(edits) if e.op != "set"]
    for e in sets:
        _put(data, e.path, e.value)
    for _n, e in sorted(moves, key=lambda m: (repr(m[1].path[:-1]), m[1].path[-1], m[1].op == "remove", m[0]),
                        reverse=True):
        *lp, index = e.path
        target = _get(data, tuple(lp))
        if e.op == "remove":
            del target[index]
        else:
            if target is None:
                _put(data, tuple(lp), [])
                target = _get(data, tuple(lp))
            target.insert(index, e.value)
    return data


def _get(data: Any, path: tuple) -> Any:
    for step in path:
        if isinstance(data, dict):
            data = data.get(step)
        elif isinstance(data, list) and isinstance(step, int) and step < len(data):
            data = data[step]
        else:
            return None
    return data


def _put(data: Any, path: tuple, value: Any) -> None:
    *parent, key = path
    for step in parent:
        if isinstance(data, dict):
            data = data.setdefault(step, {})
        else:
            data = data[step]
    data[key] = value


def write(path: Path, text: str) -> None:
    """Replace the file at `path` with `text` atomically (a reader sees the old file or the new one).

    It stays the same file to its owner: a link keeps pointing at it (the file it points to is
    the one written), and it keeps its permissions and, when it had one, its byte-order mark.
    """
    target = Path(os.path.realpath(path))
    try:
        with open(target, "rb") as fh:
            bom = codecs.BOM_UTF8 if fh.read(3) == codecs.BOM_UTF8 else b""
        mode = stat.S_IMODE(os.stat(target).st_mode)
    except OSError:  # not there (or unreadable): written afresh, and any error is the write's to report
        bom, mode = b"", 0o644
    atomic_write(target, bom + text.encode("utf-8"), mode=mode)
