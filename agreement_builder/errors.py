"""The one exception hierarchy.

Library functions raise these; only the CLI turns them into messages and exit codes. Every
error about the user's input carries the file, line and column it comes from, so that the
message can point at the exact place to fix.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True, order=True)
class Position:
    """Where something stands in a source file (line and column count from 1).

    In a Word file there are no lines a person can see: `place` then says where the thing is
    as it is found in Word ("section 6 “Lead Force Arrangements”, paragraph 4 “The Lead…”"),
    and `line` only orders findings (the paragraph's position in the file).
    """

    file: str
    line: int = 0
    column: int = 0
    place: str = ""

    def __str__(self) -> str:
        if self.place:
            return f"{self.file}: {self.place}"
        if self.line:
            return f"{self.file}:{self.line}:{self.column}"
        return self.file


@dataclass(frozen=True)
class Issue:
    """One finding about an input: an error (the input cannot be used) or a warning."""

    position: Position
    message: str
    severity: str = "error"  # "error" | "warning"
    rule: str = ""
    hint: str = ""

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def format(self) -> str:
        """Return the issue as `FILE:LINE:COL: error: MESSAGE [RULE]` plus an indented hint."""
        text = f"{self.position}: {self.severity}: {self.message}"
        if self.rule:
            text += f" [{self.rule}]"
        if self.hint:
            text += f"\n    hint: {self.hint}"
        return text

    def sort_key(self) -> tuple:
        return (self.position.file, self.position.line, self.position.column, self.message)


class AgreementBuilderError(Exception):
    """Base of every error this package raises on purpose."""

    exit_code = 1

    def format(self) -> str:
        return f"error: {self}"


class InputError(AgreementBuilderError):
    """One or more problems in the user's files (YAML, templates, .docx inputs)."""

    def __init__(self, issues: list[Issue] | Issue):
        if isinstance(issues, Issue):
            issues = [issues]
        self.issues = sorted(issues, key=Issue.sort_key)
        super().__init__("\n".join(i.format() for i in self.issues))

    @classmethod
    def at(cls, position: Position, message: str, *, rule: str = "", hint: str = "") -> "InputError":
        return cls([Issue(position, message, rule=rule, hint=hint)])

    @classmethod
    def in_file(cls, path: str | Path, message: str, *, rule: str = "", hint: str = "") -> "InputError":
        return cls.at(Position(str(path)), message, rule=rule, hint=hint)

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.is_error]

    def format(self) -> str:
        return "\n".join(i.format() for i in self.issues)


class TemplateError(AgreementBuilderError):
    """A template is broken or asks for something the data does not provide."""

    def __init__(self, template: str, message: str, *, tag: str = "", hint: str = ""):
        self.template = template
        self.tag = tag
        self.hint = hint
        text = f"{template}: error: {message}"
        if tag:
            text += f" (in {tag})"
        if hint:
            text += f"\n    hint: {hint}"
        super().__init__(text)

    def format(self) -> str:
        return str(self)


class OutputError(AgreementBuilderError):
    """An output cannot be written (exists and is final, folder missing, ...)."""

    def format(self) -> str:
        return f"error: {self}"


class ToolMissingError(AgreementBuilderError):
    """An external program (LibreOffice) is not installed or failed."""

    def format(self) -> str:
        return f"error: {self}"


@dataclass
class BuildFailures(AgreementBuilderError):
    """Some agreements of a summit pack failed; the others were built."""

    failures: list[AgreementBuilderError] = field(default_factory=list)

    def __str__(self) -> str:
        return "\n".join(f.format() for f in self.failures)

    def format(self) -> str:
        return str(self)
