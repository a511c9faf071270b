"""Domain errors that name the row, the priority id and the field, and say how to fix it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input."""

    field: str
    message: str
    priority_id: str | None = None
    row: int | None = None  # 1-based row of the priorities table, when there is one
    value: str | None = None  # the value found, as text, when there is one
    sheet: str | None = None  # the workbook sheet or file, when the input had several

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
