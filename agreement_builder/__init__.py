"""agreement-builder: section 22A Police Act 1996 collaboration agreements from YAML.

Library first: `load_agreement` checks an agreement; the other stages (render, diff, redline,
build) live in their own modules. Everything here is imported when first asked for (PEP 562),
so that importing the package, which every command and every submodule does first, costs
nothing: the console script answers `--version` before any of it is needed, and a command
that does not need the checking stage (pydantic and the models) does not pay for it.
"""

from .version import __version__

#: Where each name of the public surface lives.
_LAZY = {
    "AgreementBuilderError": "errors", "InputError": "errors", "Issue": "errors", "Position": "errors",
    "check_file": "validate", "load_agreement": "validate", "load_parties": "validate", "load_summit": "validate",
}

__all__ = ["__version__", *_LAZY]


def __getattr__(name: str):
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib import import_module

    value = getattr(import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})
