"""agreement-builder: section 22A Police Act 1996 collaboration agreements from YAML.

Library first: `load_agreement` checks an agreement; the other stages (render, diff, redline,
build) live in their own modules and are re-exported here as they are used. The checking
stage (pydantic and the models) is imported when first asked for, so that a command that
does not need it (a redline of two .docx files) does not pay for it.
"""

from .version import __version__  # noqa: E402
from .errors import AgreementBuilderError, InputError, Issue, Position  # noqa: E402

_LAZY = {"check_file", "load_agreement", "load_parties", "load_summit"}

__all__ = [
    "AgreementBuilderError", "InputError", "Issue", "Position",
    "check_file", "load_agreement", "load_parties", "load_summit",
]


def __getattr__(name: str):
    if name in _LAZY:
        from . import validate

        return getattr(validate, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
