"""The console script: `--version`, `--help` and an unchanged `build` answered at once, the rest handed to cli.py.

Why a module before the command line: importing click and the commands' definitions costs
about twice what starting Python does, and the two answers a user asks for most, the version
and the list of commands, need neither. The help text is `_help.py`, click's own output for
`--help` at the full width of 78 columns, written by `tools/update_help.py` and compared with
what click prints by tests/test_start.py (so it cannot drift from the commands). A terminal
narrower than 80 columns, or any other command line, goes to click as before.

`build` with nothing to do is the third: when `unchanged.py` finds every input of the pack as
its manifest records it, the build would change nothing, and this says so in the words the
build itself uses; otherwise click runs the build as always (which asks the same question).
"""

from __future__ import annotations

import os
import sys

PROG = "agreement-builder"


def main(argv: list[str] | None = None) -> None:
    """Run the command line (the console script and `python -m agreement_builder`)."""
    args = sys.argv[1:] if argv is None else list(argv)
    if args == ["--version"]:
        from .version import __version__

        return _say(f"{PROG}, version {__version__}\n")
    if len(args) == 1 and args[0] in ("--help", "-h") and _columns() >= 80:
        from ._help import HELP

        return _say(HELP)
    if args[:1] == ["build"] and (options := _build_options(args[1:])) is not None:
        from .unchanged import unchanged_pack, up_to_date_message

        summit, out, pdf = options
        same = unchanged_pack(summit, out, pdf=pdf)
        if same is not None:
            return _say(up_to_date_message(out, len(same["agreements"])) + "\n")
    from .cli import main as run

    run(args)


def _build_options(args: list[str]) -> tuple[str, str, bool | None] | None:
    """Return (summit, out, pdf) of a plain `build` command line, or None for anything else (click reads it).

    Plain: at most a summit file, `--out DIR`, `--pdf`/`--no-pdf` and `--jobs N` (which changes
    nothing when nothing is to be built). Any other option (`--force`, `--templates`, `--help`
    ...), or a form this does not know, goes to click, which reads it as always.
    """
    summit, out, pdf = None, "out", None
    rest = list(args)
    while rest:
        arg = rest.pop(0)
        name, eq, value = arg.partition("=")
        if name in ("--out", "--jobs", "-j"):
            if not eq:
                if not rest:
                    return None
                value = rest.pop(0)
            if name == "--out":
                out = value
            elif not value.isdigit() or int(value) < 1:
                return None
        elif arg in ("--pdf", "--no-pdf"):
            pdf = arg == "--pdf"
        elif arg.startswith("-") or summit is not None or not arg:
            return None
        else:
            summit = arg
    if not out:
        return None
    return summit or "summit.yaml", out, pdf


def _columns() -> int:
    """Return the terminal's width as click reads it (shutil.get_terminal_size, without importing shutil)."""
    try:
        columns = int(os.environ.get("COLUMNS", "0"))
    except ValueError:
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns
        except (AttributeError, ValueError, OSError):  # not a terminal: shutil's fallback, 80 columns
            columns = 0
        if columns <= 0:
            columns = 80
    return columns


def _say(text: str) -> None:
    """Write to standard output as cli.py does: a pipe closed early ends quietly, any other failure in one line."""
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except BrokenPipeError:  # `| head`: as click does, nothing more to say; exit 1
        _discard_stdout()
        sys.exit(1)
    except OSError as exc:  # `>/dev/full`: said on standard error, as cli._out says it
        _discard_stdout()
        sys.stderr.write(f"error: standard output: cannot write: {exc.strerror or type(exc).__name__}\n")
        sys.exit(1)


def _discard_stdout() -> None:
    """Point standard output at /dev/null, so that Python's last flush at exit does not fail again."""
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):  # not a real file (tests capture it): nothing to redirect
        return
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, fd)
    os.close(null)


if __name__ == "__main__":
    main()
