"""Choosing the vocabulary of one column of a fitted transformer."""

import numbers

from sklearn.utils.validation import check_is_fitted

from skstringlookup._columns import column_label

__all__ = ["select_block"]


def select_block(est, column, what):
    """The checked configuration and the vocabulary block of `column`.

    Parameters
    ----------
    est : StringLookupTransformer
        A fitted transformer.
    column : str, int or None
        A column name (when the transformer saw names), a position, or None
        when the transformer has one column or a shared vocabulary.
    what : str
        The operation, for the error messages.

    Returns
    -------
    config : Config
    block : int
        Index into ``est.vocabularies_`` (and ``est.idf_weights_``).
    label : str
        How error messages name the vocabulary, such as "the vocabulary of
        column 'a'".
    """
    check_is_fitted(est)
    # The parameters, checked against the fitted state, as transform does.
    config = est._fitted_config()
    n_columns = est.n_features_in_
    names = getattr(est, "feature_names_in_", None)

    if column is None:
        if n_columns != 1 and not config.shared_vocabulary:
            msg = (
                f"column must name one of the {n_columns} columns, by name or "
                f"position, for {what}: each column has its own vocabulary. Got "
                "None instead."
            )
            raise ValueError(msg)
        return config, 0, _label(names, 0, config)

    if isinstance(column, str):
        if names is None or column not in list(names):
            known = "no column names" if names is None else list(names)
            msg = (
                f"column must be a column name seen in fit ({known}) or a "
                f"position. Got {column!r} instead."
            )
            raise ValueError(msg)
        position = list(names).index(column)
    elif isinstance(column, numbers.Integral) and not isinstance(column, bool):
        if not 0 <= column < n_columns:
            msg = (
                f"column must be a position in [0, {n_columns - 1}] or a column "
                f"name. Got {column!r} instead."
            )
            raise ValueError(msg)
        position = int(column)
    else:
        msg = (
            "column must be None, a column name (str) or a position (int). Got "
            f"{column!r} ({type(column).__name__}) instead."
        )
        raise TypeError(msg)

    block = 0 if config.shared_vocabulary else position
    return config, block, _label(names, position, config)


def _label(names, position, config):
    if config.shared_vocabulary:
        return "the shared vocabulary"
    return f"the vocabulary of {column_label(names, position)}"
