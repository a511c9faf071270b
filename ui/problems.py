"""Problems of a PortfolioError as a table for the app (row, priority id, field, what to fix)."""

from __future__ import annotations

import pandas as pd

from optimiser.errors import PortfolioError


def problems_frame(err: PortfolioError) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "row": "" if p.row is None else str(p.row),
                "priority": p.priority_id or "",
                "field": p.field,
                "problem and how to fix it": p.message,
            }
            for p in err.problems
        ],
        columns=["row", "priority", "field", "problem and how to fix it"],
    )
