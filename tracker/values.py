"""Plain value types the validator produces: partial dates and exact amounts."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from .schema import QUALIFIERS

MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]  # one style everywhere: months in full


# How an amount's qualifier reads before it ("about CNY 800 million", "at-least" -> "at least ", "exact" ->
# nothing); the page, the history and the maps share it.
QUALIFIER_WORDS = {q: "" if q == "exact" else q.replace("-", " ") + " " for q in QUALIFIERS}

@dataclass(frozen=True, order=True)
class PDate:
    """A date at the precision the source gave: a year, a half, a quarter, a month or a day.

    Ordered by the first day the date can mean, then by precision (coarse first).
    """

    year: int
    month: int = 0  # 0 when unknown
    day: int = 0  # 0 when unknown
    part: str = ""  # "H1", "H2", "Q1".."Q4" for halves and quarters of a year

    @property
    def precision(self) -> str:
        if self.day:
            return "day"
        if self.month:
            return "month"
        return "half" if self.part.startswith("H") else "quarter" if self.part else "year"

    def first_day(self) -> tuple[int, int, int]:
        if self.part:
            n = int(self.part[1])
            return (self.year, (n - 1) * (6 if self.part[0] == "H" else 3) + 1, 1)
        return (self.year, self.month or 1, self.day or 1)

    def first_iso(self) -> str:
        """The first day the date can mean, as YYYY-MM-DD: a sort key that puts '2023' among full dates."""
        return "{:04d}-{:02d}-{:02d}".format(*self.first_day())

    def last_day(self) -> tuple[int, int, int]:
        if self.day:
            return (self.year, self.month, self.day)
        if self.part:
            n = int(self.part[1])
            month = n * (6 if self.part[0] == "H" else 3)
        else:
            month = self.month or 12
        return (self.year, month, calendar.monthrange(self.year, month)[1])

    def iso(self) -> str:
        if self.part:
            return f"{self.year}-{self.part}"
        if self.day:
            return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"
        if self.month:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}"

    def human(self) -> str:
        """Show the date at its real precision: '2020', 'September 2020', '3 July 2020', 'H2 2028'."""
        if self.part:
            return f"{self.part} {self.year}"
        if self.day:
            return f"{self.day} {MONTHS[self.month - 1]} {self.year}"
        if self.month:
            return f"{MONTHS[self.month - 1]} {self.year}"
        return str(self.year)

    def __str__(self) -> str:
        return self.iso()


DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?|-(H[12]|Q[1-4]))?$", re.ASCII)  # ASCII digits only


def parse_date(text: str) -> PDate:
    """Parse YYYY, YYYY-MM, YYYY-MM-DD, YYYY-H1/H2 or YYYY-Q1..Q4; raise ValueError with a reason."""
    m = DATE.match(text.strip())
    if not m:
        raise ValueError("not a date")
    year, month, day, part = int(m[1]), int(m[2] or 0), int(m[3] or 0), m[4] or ""
    if not 1900 <= year <= 2100:
        raise ValueError(f"year {year} is out of range (1900-2100)")
    if m[2] and not 1 <= month <= 12:
        raise ValueError(f"no such month {text}")
    if m[3] and not 1 <= day <= calendar.monthrange(year, month)[1]:
        raise ValueError(f"no such day {text}")
    return PDate(year, month, day, part)


MULTIPLIERS = {
    "thousand": Decimal(10) ** 3,
    "lakh": Decimal(10) ** 5,
    "million": Decimal(10) ** 6,
    "crore": Decimal(10) ** 7,
    "billion": Decimal(10) ** 9,
    "trillion": Decimal(10) ** 12,
}
NUMBER = re.compile(r"^(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?$", re.ASCII)  # not "８００" or "٨٠٠"
MAX_DECIMALS = 8
MAX_AMOUNT = Decimal(10) ** 16  # ten quadrillion: above any real project in any currency


def parse_number(text: str) -> Decimal:
    """Parse '800000000', '800 million', '1.6 billion', '27,000 crore' exactly; raise ValueError."""
    words = text.strip().split()
    if not words or len(words) > 2:
        raise ValueError("not a number")
    m = NUMBER.match(words[0])
    if not m:
        raise ValueError("not a number")
    if m[2] and len(m[2]) - 1 > MAX_DECIMALS:
        raise ValueError(f"more than {MAX_DECIMALS} decimal places")
    try:
        value = Decimal(m[1].replace(",", "") + (m[2] or ""))
    except InvalidOperation:  # pragma: no cover - the regex admits only digits
        raise ValueError("not a number") from None
    if len(words) == 2:
        unit = words[1].lower()
        if unit not in MULTIPLIERS:
            raise ValueError(f"unknown multiplier '{words[1]}'")
        value *= MULTIPLIERS[unit]
    if value > MAX_AMOUNT:
        raise ValueError(f"{text} is larger than any real figure")
    return Decimal(int(value)) if value == value.to_integral() else value.normalize()


def plain_decimal(value: Decimal) -> str:
    """Write a Decimal without exponent: 8E+8 -> '800000000'."""
    return format(value, "f")
