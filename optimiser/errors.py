"""Domain errors that name the row, the priority id and the field, and say how to fix it."""

from __future__ import annotations

import re
from dataclasses import dataclass

# Control characters (Unicode category Cc), surrogates (Cs) and the two non-characters U+FFFE/U+FFFF: none of
# them may appear in a text field, and a problem that quotes one shows it as an escape such as \x0b.
UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
MAX_SHOWN = 200  # characters of a field, value or priority id shown in a problem


def printable(text: str, limit: int | None = None) -> str:
    """`text` with every control character, surrogate or non-character written as an escape (\\x0b, \\ud800),
    cut to `limit` characters (with an ellipsis) when given."""
    if limit is not None and len(text) > limit:
        text = text[:limit] + "…"
    return UNPRINTABLE.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input. Text quoted from the input is shown with control characters escaped."""

    field: str
    message: str
    priority_id: str | None = None
    row: int | None = None  # 1-based row of the priorities table, when there is one
    value: str | None = None  # the value found, as text, when there is one
    sheet: str | None = None  # the workbook sheet or file, when the input had several

    def __post_init__(self) -> None:
        for name in ("field", "priority_id", "value", "sheet"):
            text = getattr(self, name)
            if text is not None:
                object.__setattr__(self, name, printable(str(text), MAX_SHOWN))
        object.__setattr__(self, "message", printable(str(self.message)))

    def __str__(self) -> str:
        where = []
        if self.sheet:
            where.append(f"sheet '{self.sheet}'")
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.priority_id:
            where.append(f"priority {self.priority_id}")
        where.append(f"field '{self.field}'")
        text = ", ".join(where)
        return f"{text[0].upper()}{text[1:]}: {self.message}"


class PortfolioError(ValueError):
    """Raised when a portfolio, file or edit is invalid. Holds every problem found."""

    def __init__(self, problems: list[Problem] | Problem | str):
        if isinstance(problems, str):
            problems = [Problem(field="file", message=problems)]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__(self._text())

    def _text(self) -> str:
        if len(self.problems) == 1:
            return str(self.problems[0])
        lines = [f"{len(self.problems)} problems found:"]
        lines += [f"- {p}" for p in self.problems]
        return "\n".join(lines)
