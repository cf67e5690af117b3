"""The shared table layer (ui.table): what a table cell shows, in either language."""

from __future__ import annotations

import pandas as pd

from ui import table


def test_numbers_with_gaps_stay_numbers() -> None:
    """An object column of ints and None (a count a row may lack) stays a number column with a
    missing value, not a mix of ints and "" that the grid shows as text."""
    out = table.labelled(pd.DataFrame({"members": pd.Series([3, None, 12], dtype=object)}), "zh")
    col = out[table.column_label("members", "zh")]
    assert pd.api.types.is_integer_dtype(col.dtype)
    assert col.isna().tolist() == [False, True, False]
