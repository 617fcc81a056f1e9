"""How values are written in the documents: dates, money, percentages, lists of names.

One place, so that the agreement, the annexes, the change report and the decision notices
all say "19 July 2016", "£6,250,000.00" and "28.50%" the same way.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Sequence

_WORDS = ("zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
          "fifteen sixteen seventeen eighteen nineteen twenty").split()
_TENS = {20: "twenty", 30: "thirty", 40: "forty", 50: "fifty", 60: "sixty", 70: "seventy", 80: "eighty", 90: "ninety"}


def format_date(value: dt.date) -> str:
    """Return a date as a legal document writes it: "19 July 2016"."""
    return f"{value.day} {value:%B %Y}"


def format_money(value: Decimal, *, sign: bool = False) -> str:
    """Return pounds and pence with thousands separators: "£6,250,000.00" ("-£1.00", "+£1.00")."""
    q = Decimal(value).quantize(Decimal("0.01"))
    text = f"£{abs(q):,.2f}"
    if q < 0:
        return "-" + text
    return ("+" + text) if sign and q > 0 else text


def format_percent(value: Decimal) -> str:
    """Return a share as printed: "28.50%"."""
    return f"{Decimal(value).quantize(Decimal('0.01'))}%"


def format_points(value: Decimal) -> str:
    """Return a change of share in percentage points: "+1.25 pp", "-0.40 pp"."""
    q = Decimal(value).quantize(Decimal("0.01"))
    return f"{'+' if q > 0 else ''}{q} pp"


def format_number(value: Decimal) -> str:
    """Return a plain figure with thousands separators, keeping the decimals as written."""
    value = Decimal(value)
    if value == value.to_integral_value():
        return f"{int(value):,}"
    return f"{value:,}"


def join_names(names: Sequence[str]) -> str:
    """Return "A, B and C"."""
    names = list(names)
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def number_words(n: int) -> str:
    """Return a count in words as agreements write it ("three", "forty-three")."""
    if 0 <= n <= 20:
        return _WORDS[n]
    if n < 100:
        tens, unit = divmod(n, 10)
        return _TENS[tens * 10] + (f"-{_WORDS[unit]}" if unit else "")
    return str(n)
