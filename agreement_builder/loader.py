"""Load YAML safely and remember where every value came from.

Why not plain `yaml.safe_load`: it forgets positions (errors could not name a line), keeps the
last of two duplicate keys without a word, reads `6250000.00` through float, turns a key `no`
into False and expands a "billion laughs" file until memory runs out. Here the YAML is
composed into nodes (positions kept) and converted by hand: numbers become `Decimal` from the
digits as written, keys stay text, duplicate keys are errors and alias expansion is bounded.

Everything that would get past here and fail later (in a template, in Word, in LibreOffice)
is refused here, at its line and column: text that is not UTF-8, control characters (which
XML and Word cannot hold), words too long to lay out on a page, tags on lists and mappings,
impossible dates. No error quotes the file's text beyond a date or a YAML syntax message, so
that a file given by mistake (a key, a password file) is never echoed.
This is the only module that imports yaml.
"""

from __future__ import annotations

import calendar
import datetime as _dt
import os
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml

from .errors import InputError, Issue, Position

#: How many nodes a file may expand to once aliases are followed. A real agreement has a few
#: thousand; a billion-laughs file has billions and is refused as soon as it passes this.
MAX_NODES = 100_000
MAX_BYTES = 10 * 1024 * 1024
#: The longest run of characters without a place to break a line. Word and LibreOffice lay out
#: a page line by line; a "word" of thousands of characters cannot be broken and stalls them
#: (100,000 characters took LibreOffice over two minutes). Long web addresses stay well below.
MAX_WORD = 200

Path_ = tuple  # a path into the data: ("functions", 0, "budget")


@dataclass
class SourceMap:
    """Positions of the values (and of the keys) of one loaded file, by data path."""

    file: str
    values: dict[tuple, Position] = field(default_factory=dict)
    keys: dict[tuple, Position] = field(default_factory=dict)

    def value(self, path: tuple) -> Position:
        """Return the position of the value at `path`, or of its nearest ancestor."""
        path = tuple(path)
        while path:
            if path in self.values:
                return self.values[path]
            path = path[:-1]
        return self.values.get((), Position(self.file, 1, 1))

    def key(self, path: tuple) -> Position:
        """Return the position of the key that holds `path` (falls back to the value)."""
        path = tuple(path)
        if path in self.keys:
            return self.keys[path]
        return self.value(path)


@dataclass
class Loaded:
    """A loaded YAML file: plain data (dict, list, str, Decimal, bool, date, None) and its map."""

    path: Path
    data: Any
    source: SourceMap

    @property
    def label(self) -> str:
        return self.source.file


class _Loader(yaml.SafeLoader):
    """SafeLoader used only for scanning, parsing and composing (never for construction)."""


_CLoader = getattr(yaml, "CSafeLoader", None)  # libyaml, when PyYAML was built with it

#: libyaml composes recursively in C: past some tens of thousands of nesting levels it overflows
#: the C stack instead of raising. Nesting is bounded by the brackets a file contains and by
#: its longest line (each block level indents further), so below these sizes it is safe.
_LIBYAML_MAX_BRACKETS = 2_000
_LIBYAML_MAX_LINE = 2_000


def _compose(text: str):
    """Return the node tree of `text`: through libyaml when it is safe, else pure Python.

    libyaml is about eight times faster. Its error messages differ from PyYAML's, so a file
    it refuses is read again by the pure-Python parser, whose messages the hints are made for.
    """
    if _CLoader is not None and _libyaml_safe(text):
        loader = _CLoader(text)
        try:
            return loader.get_single_node()
        except yaml.YAMLError:  # libyaml refuses it: read again by the pure-Python parser below, whose messages we word
            pass
        finally:
            loader.dispose()
    loader = _Loader(text)
    try:
        return loader.get_single_node()
    finally:
        loader.dispose()


def _libyaml_safe(text: str) -> bool:
    if text.count("[") + text.count("{") > _LIBYAML_MAX_BRACKETS:
        return False
    return max(map(len, text.split("\n")), default=0) <= _LIBYAML_MAX_LINE


def display_path(path: Path) -> str:
    """Return `path` relative to the working folder when it is inside it (shorter messages)."""
    absolute = Path(os.path.abspath(path))  # not resolve(): keep the name the user gave, links and all
    try:
        return str(absolute.relative_to(Path(os.path.abspath(Path.cwd()))))
    except ValueError:
        return str(path)


def load_yaml(path: str | Path) -> Loaded:
    """Return the data of a YAML file with its source map; raise InputError on any problem."""
    path = Path(path)
    label = display_path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InputError.in_file(label, "file not found", hint="check the path (paths inside a file are relative to that file)") from None
    except IsADirectoryError:
        raise InputError.in_file(label, "this is a folder, not a YAML file") from None
    except OSError as exc:
        raise InputError.in_file(label, f"cannot read the file: {exc.strerror}") from None
    if len(raw) > MAX_BYTES:
        raise InputError.in_file(label, f"the file is larger than {MAX_BYTES // (1024 * 1024)} MB; refusing to read it")
    return load_yaml_text(raw, label, path)


_SAVE_AS_UTF8 = "save the file as UTF-8 (in most editors: Save As, Encoding: UTF-8)"


def _byte_position(raw: bytes, index: int) -> tuple[int, int]:
    """Return the line and column (in characters, from 1) of byte `index` of `raw`."""
    line_start = raw.rfind(b"\n", 0, index) + 1
    column = len(raw[line_start:index].decode("utf-8", "replace")) + 1
    return raw.count(b"\n", 0, index) + 1, column


def _text_position(text: str, index: int) -> tuple[int, int]:
    """Return the line and column (from 1) of character `index` of `text`."""
    return text.count("\n", 0, index) + 1, index - (text.rfind("\n", 0, index) + 1) + 1


def decode_yaml_bytes(raw: bytes, label: str) -> str:
    """Return the text of a YAML file's bytes: UTF-8 (a BOM is allowed), else an error at the first bad byte."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError.at(Position(label, 1, 1), "the file is not UTF-8 text: it is UTF-16 (it starts with "
                            "a UTF-16 byte order mark)", rule="yaml", hint=_SAVE_AS_UTF8)
    nul = raw.find(b"\x00")
    if nul >= 0:
        sample = raw[:4096]
        # UTF-16 text without a byte order mark: ASCII characters with a zero byte after (or before)
        # each, so the bytes at odd (or even) places are nearly all zero and the others nearly never
        halves = sorted((sample[0::2].count(0), sample[1::2].count(0)))
        utf16 = halves[1] * 4 >= len(sample) and halves[0] * 50 <= len(sample)
        line, column = _byte_position(raw, nul)
        if utf16:
            raise InputError.at(Position(label, line, column), "the file is not UTF-8 text: it looks like UTF-16 "
                                "(every other byte is zero)", rule="yaml", hint=_SAVE_AS_UTF8)
        raise InputError.at(Position(label, line, column), "the file is not UTF-8 text: it contains a NUL byte",
                            rule="yaml", hint="a YAML file is plain text; is this the right file?")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line, column = _byte_position(raw, exc.start)
        raise InputError.at(Position(label, line, column), "the file is not UTF-8 text", rule="yaml",
                            hint=_SAVE_AS_UTF8) from None


def load_yaml_text(raw: bytes | str, label: str, path: Path | None = None) -> Loaded:
    """Return the data of YAML text (bytes are decoded as UTF-8, a BOM is allowed)."""
    text = decode_yaml_bytes(raw, label) if isinstance(raw, bytes) else raw.lstrip("\ufeff")
    source = SourceMap(label)
    try:
        node = _compose(text)
    except yaml.MarkedYAMLError as exc:
        raise InputError([_yaml_issue(exc, label, text)]) from None
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow anywhere in a file
        line, column = _text_position(text, exc.position)
        raise InputError.at(Position(label, line, column), f"the file contains {character_name(exc.character)}, "
                            "which YAML does not allow", rule="yaml", hint=_CONTROL_HINT) from None
    except RecursionError:
        raise InputError.at(Position(label, 1, 1), "the data is nested too deeply to be an agreement",
                            rule="yaml") from None
    except yaml.YAMLError as exc:  # pragma: no cover - every other PyYAML error is marked
        raise InputError.at(Position(label, 1, 1), "not valid YAML", rule="yaml") from None
    if node is None:
        raise InputError.at(Position(label, 1, 1), "the file is empty",
                            hint="start from `agreement-builder init` or an example in agreements/")
    converter = _Converter(source)
    data = converter.convert(node, ())
    return Loaded(path or Path(label), data, source)


def _yaml_issue(exc: yaml.MarkedYAMLError, label: str, text: str) -> Issue:
    mark = exc.problem_mark or exc.context_mark
    line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    problem = (exc.problem or "not valid YAML").strip()
    hint = "check the indentation and the colons on this line and the one before"
    lines = text.splitlines()
    bad_line = lines[line - 1] if 0 < line <= len(lines) else ""
    if "\t" in problem or "'\\t'" in problem or (bad_line and "\t" in bad_line[: max(column, 1)]):
        problem = "a tab character is used for indentation"
        hint = "YAML indents with spaces only: replace the tab with spaces"
    elif "found duplicate anchor" in problem:
        hint = "each &anchor name may be defined once"
    elif "found undefined alias" in problem:
        hint = "an *alias must name an &anchor defined earlier in the file"
    elif "mapping values are not allowed here" in problem:
        problem = "a colon `:` cannot appear here"
        hint = "put text that contains ': ' in quotes, or fix the indentation"
    elif "could not find expected ':'" in problem:
        hint = "a key needs a colon after it; multi-line text needs quotes or `|`"
    elif "did not find expected key" in problem or "expected <block end>" in problem:
        problem = "bad indentation (this line does not line up with the ones before)"
        hint = "items of the same list or mapping must start in the same column"
    return Issue(Position(label, line, column), f"not valid YAML: {problem}", rule="yaml", hint=hint)


_CONTROL_HINT = "remove it: it is invisible, Word cannot print it (it often comes from text copied out of another program)"

#: Characters refused in any text: control characters but tab and newline (XML and Word cannot
#: hold them, or they would turn into page and paragraph breaks), lone surrogates, Unicode
#: non-characters, and the line and paragraph separators (invisible breaks Word handles badly).
_FORBIDDEN = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufdd0-\ufdef"
    + "".join(f"{chr(plane * 0x10000 + 0xFFFE)}{chr(plane * 0x10000 + 0xFFFF)}" for plane in range(17))
    + "]")
#: A run of characters with no place to break a line: not a space, tab or newline, nor a CJK
#: character (which breaks anywhere).
_UNBROKEN = re.compile(f"[^ \t\n\u1680\u2000-\u2006\u2008-\u200b\u205f\u3000-\u9fff\uf900-\ufaff]{{{MAX_WORD + 1},}}")

_CONTROL_NAMES = {0: "NUL", 7: "BEL, the bell", 8: "BS, backspace", 9: "TAB", 10: "LF", 11: "VT, vertical tab",
                  12: "FF, form feed", 13: "CR, carriage return", 27: "ESC, escape", 127: "DEL",
                  0x2028: "LINE SEPARATOR", 0x2029: "PARAGRAPH SEPARATOR"}


def character_name(code: int) -> str:
    """Return how a message names a character it refuses: "the control character U+0007 (BEL, the bell)"."""
    if code < 0x20 or 0x7F <= code <= 0x9F:
        kind = "the control character"
    elif 0xD800 <= code <= 0xDFFF:
        kind = "the lone surrogate"
    elif code in (0x2028, 0x2029):
        kind = "the invisible break"
    else:
        kind = "the non-character"
    name = _CONTROL_NAMES.get(code)
    return f"{kind} U+{code:04X}" + (f" ({name})" if name else "")


def field_name(path: tuple) -> str:
    """Return how a message names the value at a data path: `agreement.date`, `functions.budget`."""
    return ".".join(str(step) for step in path if isinstance(step, str)) or "the file"


_INT = re.compile(r"^[-+]?(0|[1-9][0-9_]*)$")
_FLOAT = re.compile(r"^[-+]?([0-9][0-9_]*)?\.[0-9_]*([eE][-+]?[0-9]+)?$")


class _Converter:
    """Turn a composed node tree into plain data, recording positions on the way."""

    def __init__(self, source: SourceMap):
        self.source = source
        self.count = 0
        self._open: set[int] = set()
        self._constructor = yaml.SafeLoader.__new__(yaml.SafeLoader)
        yaml.constructor.SafeConstructor.__init__(self._constructor)

    def position(self, node: yaml.Node) -> Position:
        return Position(self.source.file, node.start_mark.line + 1, node.start_mark.column + 1)

    def fail(self, node: yaml.Node, message: str, hint: str = "") -> InputError:
        return InputError.at(self.position(node), message, rule="yaml", hint=hint)

    def convert(self, node: yaml.Node, path: tuple) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            raise self.fail(node, f"the file expands to more than {MAX_NODES:,} values (aliases nested too deeply?)",
                            hint="a legitimate agreement is far smaller; remove the nested &anchors and *aliases")
        self.source.values.setdefault(path, self.position(node))
        if isinstance(node, yaml.ScalarNode):
            value = self._scalar(node, path)
            if isinstance(value, str):
                self._check_text(node, value, path)
            return value
        expected = "tag:yaml.org,2002:map" if isinstance(node, yaml.MappingNode) else "tag:yaml.org,2002:seq"
        if node.tag != expected:
            what = "mapping" if isinstance(node, yaml.MappingNode) else "list"
            raise self.fail(node, f"`{field_name(path)}`: the YAML tag `{_short_tag(node.tag)}` on a {what} is not supported",
                            hint=f"remove the tag: write a plain {what}")
        if id(node) in self._open:
            raise self.fail(node, "an alias refers to the list or mapping that contains it",
                            hint="a *alias cannot point at its own &anchor")
        if len(self._open) > 100:
            raise self.fail(node, "the data is nested more than 100 levels deep")
        self._open.add(id(node))
        try:
            if isinstance(node, yaml.MappingNode):
                return self._mapping(node, path)
            return [self.convert(child, path + (i,)) for i, child in enumerate(node.value)]
        finally:
            self._open.discard(id(node))

    def _mapping(self, node: yaml.MappingNode, path: tuple) -> dict:
        result: dict[str, Any] = {}
        first_seen: dict[str, yaml.Node] = {}
        merged: list[tuple[yaml.Node, yaml.Node]] = []
        merge_key: yaml.Node | None = None
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                if merge_key is not None:
                    raise self.fail(key_node, f"duplicate key `<<` (first given on line {merge_key.start_mark.line + 1})",
                                    hint="merge several mappings with one key: `<<: [*first, *second]`")
                merge_key = key_node
                sources = value_node.value if isinstance(value_node, yaml.SequenceNode) else [value_node]
                for src in sources:
                    if not isinstance(src, yaml.MappingNode):
                        raise self.fail(src, "`<<` can only merge a mapping")
                    merged.extend(src.value)
                continue
            if not isinstance(key_node, yaml.ScalarNode):
                raise self.fail(key_node, "a key must be plain text, not a list or mapping")
            key = key_node.value  # keys stay text: `no:` is the id "no", not False
            self._check_text(key_node, key, path, what="a key")
            if key in first_seen:
                first = first_seen[key]
                raise self.fail(
                    key_node, f"duplicate key `{key}` (first given on line {first.start_mark.line + 1})",
                    hint="a key may appear once in a mapping; remove or rename one of them")
            first_seen[key] = key_node
            self.source.keys[path + (key,)] = self.position(key_node)
            result[key] = self.convert(value_node, path + (key,))
        for key_node, value_node in merged:  # keys given explicitly win over merged ones, as YAML says
            key = key_node.value
            if isinstance(key_node, yaml.ScalarNode) and key not in result:
                self.source.keys[path + (key,)] = self.position(key_node)
                result[key] = self.convert(value_node, path + (key,))
        return result

    def _check_text(self, node: yaml.Node, text: str, path: tuple, what: str = "the text") -> None:
        """Refuse characters Word cannot hold and words no page can lay out (without quoting them)."""
        where = f"`{field_name(path)}`: " if path else ""
        bad = _FORBIDDEN.search(text)
        if bad:
            raise self.fail(node, f"{where}{what} contains {character_name(ord(bad.group()))}", hint=_CONTROL_HINT)
        long = _UNBROKEN.search(text)
        if long:
            raise self.fail(node, f"{where}{what} has a word of {len(long.group()):,} characters with no space; "
                            f"a line of a page cannot hold it (at most {MAX_WORD} characters)",
                            hint="break it with spaces; Word and LibreOffice stall on such text")

    def _scalar(self, node: yaml.ScalarNode, path: tuple) -> Any:
        tag, value = node.tag, node.value
        if tag == "tag:yaml.org,2002:str" or node.style in ("'", '"', "|", ">"):
            return value
        if tag == "tag:yaml.org,2002:null":
            return None
        if tag == "tag:yaml.org,2002:bool":
            return value.lower() in ("true", "yes", "on", "y")
        if tag in ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float"):
            return self._number(node)
        if tag == "tag:yaml.org,2002:timestamp":
            try:
                return self._constructor.construct_yaml_timestamp(node)
            except (ValueError, OverflowError):
                raise self.fail(node, f"`{field_name(path)}`: {value} is not a date{_why_not_a_date(value)}",
                                hint="write dates as YYYY-MM-DD, e.g. 2016-07-19") from None
        if tag.startswith("tag:yaml.org,2002:"):
            raise self.fail(node, f"`{field_name(path)}`: the YAML type `{_short_tag(tag)}` is not supported here",
                            hint="write plain text, numbers, dates, lists and mappings")
        raise self.fail(node, f"`{field_name(path)}`: unknown YAML tag `{tag}`",
                        hint="remove the `!tag`: plain YAML values only")

    def _number(self, node: yaml.ScalarNode) -> Any:
        text = node.value.replace("_", "")
        if _INT.match(node.value) or _FLOAT.match(node.value):
            try:
                return Decimal(text)
            except InvalidOperation:  # pragma: no cover - the patterns only admit numbers
                pass
        # 0x1F, 0o17, 1:30 (sexagesimal), .inf, .nan: legal YAML, never meant in an agreement
        shown = f"`{node.value}`" if len(node.value) <= 60 else f"a number of {len(node.value):,} characters"
        raise self.fail(node, f"{shown} is not a plain decimal number",
                        hint="write amounts and counts with digits and an optional decimal point, e.g. 6250000.00")


def _short_tag(tag: str) -> str:
    return "!!" + tag[len("tag:yaml.org,2002:"):] if tag.startswith("tag:yaml.org,2002:") else tag


def _why_not_a_date(text: str) -> str:
    """Return why YYYY-MM-DD text is not a date: " (there is no month 13)", or ""."""
    match = re.match(r"(\d{4})-(\d\d?)-(\d\d?)", text)
    if not match:
        return ""
    year, month, day = (int(g) for g in match.groups())
    if year < 1:
        return " (there is no year 0)"
    if not 1 <= month <= 12:
        return f" (there is no month {month})"
    days = calendar.monthrange(year, month)[1]
    if not 1 <= day <= days:
        return f" ({calendar.month_name[month]} {year} has {days} days)"
    return ""


def is_date(value: Any) -> bool:
    return isinstance(value, _dt.date) and not isinstance(value, _dt.datetime)
