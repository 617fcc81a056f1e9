"""Where templates come from (DESIGN.md §2).

Lookup, file by file: the folder given with --templates/--annexes, else `templates/` and
`annexes/` beside the agreement or summit file or in a parent folder, else the defaults
shipped inside the package (so an installed wheel works with no workspace at all). A
workspace may override only the files it wants to change.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from .errors import InputError

PACKAGE_DATA = Path(__file__).resolve().parent / "data"
SHIPPED_TEMPLATES = PACKAGE_DATA / "templates"
SHIPPED_ANNEXES = PACKAGE_DATA / "annexes"


def _nearest(start: Path, name: str) -> Path | None:
    folder = start.resolve()
    if folder.is_file() or folder.suffix:
        folder = folder.parent
    for candidate in [folder, *folder.parents]:
        if (candidate / name).is_dir():
            return candidate / name
    return None


@dataclass(frozen=True)
class TemplateSet:
    """The template folders to search, most specific first."""

    template_dirs: tuple[Path, ...]
    annex_dirs: tuple[Path, ...]

    def _find(self, dirs: tuple[Path, ...], name: str, what: str) -> Path:
        for folder in dirs:
            path = folder / name
            if path.is_file():
                return path
        raise InputError.in_file(
            str(dirs[0] / name) if dirs else name, f"the {what} template `{name}` was not found",
            hint="searched: " + ", ".join(str(d) for d in dirs))

    def umbrella(self) -> Path:
        return self._find(self.template_dirs, "umbrella.docx", "umbrella")

    def decision_notice(self) -> Path:
        return self._find(self.template_dirs, "decision_notice.docx", "decision notice")

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


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
