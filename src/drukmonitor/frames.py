"""Joining the per-row tables of one wave (canonical, harmonised, classified) on ``source_row``."""

from __future__ import annotations

import numpy as np
import pandas as pd

KEY = "source_row"


def join_on_source_row(left: pd.DataFrame, right: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """``left`` with ``right``'s `columns` added, matched one-to-one on ``source_row`` (left join).

    The stages keep rows in raw-file order, so the keys usually line up and the columns are put side by
    side (no copy, no hashing of a million keys); otherwise a validated merge does the matching.
    """
    if not columns:
        return left
    if np.array_equal(left[KEY].to_numpy(), right[KEY].to_numpy()):
        return pd.concat([left, right.loc[:, columns].set_axis(left.index)], axis=1)
    return left.merge(right.loc[:, [KEY, *columns]], on=KEY, how="left", validate="one_to_one")
