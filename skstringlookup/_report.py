"""Out-of-vocabulary and missing cells per column, for drift monitoring.

Never imports TensorFlow: the terms are compared with Arrow kernels.
"""

import numbers

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from sklearn.utils.validation import (
    _check_feature_names_in,
    check_is_fitted,
    validate_data,
)

from skstringlookup._columns import read_text_columns, split_frame

__all__ = ["REPORT_COLUMNS", "oov_report"]

#: The columns of the report, in order.
REPORT_COLUMNS = (
    "n_cells",
    "n_oov",
    "oov_share",
    "n_missing",
    "missing_share",
    "top_oov",
)


def _check_top(top):
    ok = top is None or (
        isinstance(top, numbers.Integral) and not isinstance(top, bool) and top >= 0
    )
    if not ok:
        msg = f"top must be None or an int >= 0. Got {top!r} instead."
        raise ValueError(msg)
    return top


def _top_terms(unseen, top):
    """(term, count) pairs, most frequent first, ties by term ascending."""
    if len(unseen) == 0 or top == 0:
        return []
    counted = pc.value_counts(unseen)
    table = pa.table({"t": counted.field("values"), "c": counted.field("counts")})
    order = pc.sort_indices(table, sort_keys=[("c", "descending"), ("t", "ascending")])
    if top is not None:
        order = order[:top]
    table = table.take(order)
    return list(zip(table["t"].to_pylist(), table["c"].to_pylist(), strict=True))


def oov_report(est, X, top=10):
    """Count the cells of `X` that the vocabularies of `est` do not hold.

    Parameters
    ----------
    est : StringLookupTransformer
        A fitted transformer.
    X : array-like or DataFrame of shape (n_samples, n_features)
        Terms, read as ``fit`` and ``transform`` read them (also when
        ``invert=True``), with the same checks of the columns.
    top : int or None, default=10
        How many of the most frequent unseen terms to list; None lists all.

    Returns
    -------
    report : pandas.DataFrame
        One row per column of `X`, indexed by the column names
        (``feature_names_in_``, else ``x0``, ``x1``...), with the columns

        - ``n_cells``: rows of `X`;
        - ``n_oov``, ``oov_share``: cells holding a term that is not in the
          vocabulary, and their share of ``n_cells``. The mask token is not
          OOV; the OOV token itself, found in the data, is;
        - ``n_missing``, ``missing_share``: missing cells (``None``, ``NaN``,
          ``pd.NA``), which are never OOV;
        - ``top_oov``: a list of ``(term, count)`` pairs, the most frequent
          unseen terms first, ties in ascending order of the terms.

    Raises
    ------
    ValueError
        If `top` is not None or an int >= 0, or if `X` does not have the
        columns seen in ``fit``.
    """
    import pandas as pd

    check_is_fitted(est)
    top = _check_top(top)
    # The parameters, checked against the fitted state, as transform does.
    config = est._fitted_config()

    columns, names, X_checked = split_frame(X, type(est).__name__)
    validate_data(est, X=X_checked, reset=False, skip_check_array=True)
    columns = read_text_columns(columns, names, config.encoding)
    index = _check_feature_names_in(est, None)

    value_sets = [
        pa.array(terms, type=pa.large_string()) for terms in est.vocabularies_
    ]
    rows = []
    for j, values in enumerate(columns):
        known = value_sets[0 if config.shared_vocabulary else j]
        if config.mask_token is not None:
            known = pa.concat_arrays(
                [known, pa.array([config.mask_token], type=pa.large_string())]
            )
        n_cells = len(values)
        n_missing = values.null_count
        present = values.drop_null()
        unseen = present.filter(pc.invert(pc.is_in(present, value_set=known)))
        n_oov = len(unseen)
        rows.append(
            {
                "n_cells": n_cells,
                "n_oov": n_oov,
                "oov_share": n_oov / n_cells,
                "n_missing": n_missing,
                "missing_share": n_missing / n_cells,
                "top_oov": _top_terms(unseen, top),
            }
        )

    report = pd.DataFrame(rows, columns=list(REPORT_COLUMNS))
    report.index = pd.Index(np.asarray(index, dtype=object), name="column")
    return report.astype(
        {"n_cells": np.int64, "n_oov": np.int64, "n_missing": np.int64}
    )
