"""agreement-builder: section 22A Police Act 1996 collaboration agreements from YAML.

Library first: `load_agreement` checks an agreement; the other stages (render, diff, redline,
build) live in their own modules and are re-exported here as they are used.
"""

__version__ = "0.1.0"

from .errors import AgreementBuilderError, InputError, Issue, Position  # noqa: E402
from .validate import check_file, load_agreement, load_parties, load_summit  # noqa: E402

__all__ = [
    "AgreementBuilderError", "InputError", "Issue", "Position",
    "check_file", "load_agreement", "load_parties", "load_summit",
]
