"""Problems of a PortfolioError as a table for the app: where (sheet, row, column), what was found, what to do."""

from __future__ import annotations

import pandas as pd

from optimiser.errors import PortfolioError

COLUMNS = ["sheet", "row", "priority", "column", "value found", "problem and how to fix it"]


def problems_frame(err: PortfolioError) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "sheet": p.sheet or "",
                "row": "" if p.row is None else str(p.row),
                "priority": p.priority_id or "",
                "column": p.field,
                "value found": p.value or "",
                "problem and how to fix it": p.message,
            }
            for p in err.problems
        ],
        columns=COLUMNS,
    )
