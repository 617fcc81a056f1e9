"""Where templates come from (DESIGN.md §2).

Lookup, file by file: the folder given with --templates/--annexes, else `templates/` and
`annexes/` beside the agreement or summit file or in a parent folder, else the defaults
shipped with the package (so an installed wheel works with no workspace at all). A workspace
holds only the templates its users changed; every other one comes from the installed package,
so that a wording fix reaches it on upgrade.

The shipped templates and the example workspace live once, at the repository's top level
(`templates/`, `annexes/`, `parties.yaml`, `summit.yaml`, `agreements/`). A wheel carries them
inside the package as `agreement_builder/data/` (hatch_build.py); a checkout or an editable
install reads them where they are.
"""

from __future__ import annotations

import os
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def _shipped_root() -> tuple[Path, Path]:
    """Return (folder holding templates/ and annexes/, folder holding the example workspace)."""
    installed = _PACKAGE / "data"
    if (installed / "templates").is_dir():
        return installed, installed / "example"
    return _PACKAGE.parent, _PACKAGE.parent  # a checkout: the repository is the example workspace


SHIPPED, SHIPPED_EXAMPLE = _shipped_root()
SHIPPED_TEMPLATES = SHIPPED / "templates"
SHIPPED_ANNEXES = SHIPPED / "annexes"
#: What the example workspace consists of (inside SHIPPED_EXAMPLE), for `init`.
EXAMPLE_FILES = ("parties.yaml", "summit.yaml", "agreements")

#: Template file names by folder, with what each is for.
KINDS = {"umbrella.docx": "umbrella", "decision_notice.docx": "decision_notice",
         "decision_notice_exempt.docx": "decision_notice_exempt", "change_report.docx": "change_report"}
ANNEX_PAGES = {"no_specification.docx": "no_specification", "withheld.docx": "withheld"}


def _nearest(start: Path, name: str) -> Path | None:
    folder = Path(os.path.abspath(start))
    if folder.is_file() or folder.suffix:
        folder = folder.parent
    for candidate in [folder, *folder.parents]:
        if (candidate / name).is_dir():
            return candidate / name
    return None


class TemplateSet:
    """The template folders to search, most specific first (the shipped folder last).

    A plain immutable value (not a dataclass): this module is read before a build parses
    anything (unchanged.py), where importing dataclasses would cost more than the check.
    """

    __slots__ = ("template_dirs", "annex_dirs")

    def __init__(self, template_dirs: tuple[Path, ...], annex_dirs: tuple[Path, ...]):
        object.__setattr__(self, "template_dirs", tuple(template_dirs))
        object.__setattr__(self, "annex_dirs", tuple(annex_dirs))

    def __setattr__(self, name: str, value) -> None:
        raise AttributeError("a TemplateSet is immutable")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, TemplateSet) and (self.template_dirs, self.annex_dirs) == (
            other.template_dirs, other.annex_dirs)

    def __hash__(self) -> int:
        return hash((self.template_dirs, self.annex_dirs))

    def __repr__(self) -> str:
        return f"TemplateSet(template_dirs={self.template_dirs!r}, annex_dirs={self.annex_dirs!r})"

    def __reduce__(self):
        return TemplateSet, (self.template_dirs, self.annex_dirs)

    def _find(self, dirs: tuple[Path, ...], name: str, what: str) -> Path:
        for folder in dirs:
            path = folder / name
            if path.is_file():
                return path
        from .errors import InputError

        raise InputError.in_file(
            str(dirs[0] / name) if dirs else name, f"the {what} template `{name}` was not found",
            hint="searched: " + ", ".join(str(d) for d in dirs))

    def umbrella(self) -> Path:
        return self._find(self.template_dirs, "umbrella.docx", "umbrella")

    def decision_notice(self) -> Path:
        return self._find(self.template_dirs, "decision_notice.docx", "decision notice")

    def decision_notice_exempt(self) -> Path:
        return self._find(self.template_dirs, "decision_notice_exempt.docx", "decision notice exempt part")

    def change_report(self) -> Path:
        return self._find(self.template_dirs, "change_report.docx", "change report")

    def annex(self, function_id: str, kind: str) -> Path:
        """Return the annex template for a function: its own, else the generic one for its kind."""
        if kind == "withheld":
            return self._find(self.annex_dirs, "withheld.docx", "withheld annex")
        if kind == "no_specification":
            return self._find(self.annex_dirs, "no_specification.docx", "no-specification annex")
        for folder in self.annex_dirs:
            own = folder / f"{function_id}.docx"
            if own.is_file():
                return own
        return self._find(self.annex_dirs, "service_specification.docx", "service specification")

    def all_templates(self) -> list[Path]:
        """Return every .docx template visible through this set (the first of each name wins)."""
        seen: dict[str, Path] = {}
        for dirs, kind in ((self.template_dirs, "templates"), (self.annex_dirs, "annexes")):
            for folder in dirs:
                for path in sorted(folder.glob("*.docx")):
                    if not path.name.startswith(("~$", ".")):
                        seen.setdefault(f"{kind}/{path.name}", path)
        return [seen[k] for k in sorted(seen)]


def find_templates(near: Path | None = None, *, templates: Path | None = None, annexes: Path | None = None) -> TemplateSet:
    """Return the template set for a file at `near` (DESIGN.md §2 lookup order)."""
    template_dirs: list[Path] = []
    annex_dirs: list[Path] = []
    for given, dirs in ((templates, template_dirs), (annexes, annex_dirs)):
        if given is not None:
            if not Path(given).is_dir():
                from .errors import InputError

                raise InputError.in_file(str(given), "the template folder does not exist")
            dirs.append(Path(given))
    if near is not None:
        if templates is None and (found := _nearest(near, "templates")):
            template_dirs.append(found)
        if annexes is None and (found := _nearest(near, "annexes")):
            annex_dirs.append(found)
    template_dirs.append(SHIPPED_TEMPLATES)
    annex_dirs.append(SHIPPED_ANNEXES)
    return TemplateSet(tuple(template_dirs), tuple(annex_dirs))


def template_kind(path: Path) -> str:
    """Return what a template is for, from where it lives and its name.

    `umbrella`, `decision_notice`, `decision_notice_exempt`, `change_report`, `annex` (a service specification, generic
    or a function's own), `no_specification`, `withheld`, or `other`.
    """
    if path.parent.name == "annexes":
        return ANNEX_PAGES.get(path.name, "annex")
    return KINDS.get(path.name, "other")


def shipped_counterpart(path: Path) -> Path | None:
    """Return the shipped template a workspace file overrides (same folder kind and name), if any."""
    folder = SHIPPED_ANNEXES if path.parent.name == "annexes" else SHIPPED_TEMPLATES
    shipped = folder / path.name
    return shipped if shipped.is_file() else None


def file_digest(path: Path) -> str:
    import hashlib

    from .inputs import read_input

    return hashlib.sha256(read_input(path)).hexdigest()
