"""The tool's version: the one place it is written (pyproject.toml reads it from here, through hatch).

A module of its own, so that any module can ask for the version without importing the
package's root (the library's entry points, re-exported lazily).
"""

__version__ = "0.1.0"
