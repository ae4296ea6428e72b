"""Fitting on Dask collections, and transforming them lazily.

``StringLookupTransformer.fit`` and ``transform`` send Dask DataFrames and 2-D
Dask Arrays here. Fitting counts the terms of every partition where the
partition lives, with the estimator's own column reading and counting, and
merges the counts in a tree, so that no process ever holds a whole column:
the largest object is the merged table of distinct terms. Transforming maps
the estimator's own ``transform`` over the partitions.

Dask is an optional dependency: this module imports it only inside its
functions, and the package imports this module only for Dask input.
"""

import copy
import functools
import uuid

import numpy as np

from skstringlookup._columns import read_text_columns, split_frame
from skstringlookup._encode import encode
from skstringlookup._params import resolve_config
from skstringlookup._vocabulary import TermCounts, resolve_given

__all__ = ["count_dask", "fit_dask", "transform_dask"]

#: How many partial counts one merge task adds up.
SPLIT_EVERY = 8


def fit_dask(est, X):
    """Fit `est` on a Dask DataFrame or 2-D Dask Array, partition by partition.

    Vocabularies, tf-idf weights, ``n_features_in_`` and ``feature_names_in_``
    equal those of ``est.fit`` on the concatenated partitions; see
    :func:`count_dask` for how the terms are counted.

    With a given ``vocabulary``, nothing is computed: only the column names
    and dtypes are checked, and errors about the cells (such as missing cells
    with ``handle_missing="error"``) come with ``transform``.

    Parameters
    ----------
    est : StringLookupTransformer
    X : dask.dataframe.DataFrame or dask.array.Array of shape \
            (n_samples, n_features)

    Returns
    -------
    est : StringLookupTransformer
        The fitted estimator.
    """
    config = resolve_config(est)
    est._forget_fit()
    try:
        _fit(est, X, config)
    except BaseException:
        # As after a failed fit on pandas: no input attributes either.
        for name in ("n_features_in_", "feature_names_in_"):
            est.__dict__.pop(name, None)
        raise
    return est


def _fit(est, X, config):
    if est.vocabulary is not None:
        names = _check_columns(est, _check_collection(X), config, reset=True)
        n_blocks = 1 if config.shared_vocabulary else est.n_features_in_
        vocabularies, weights = resolve_given(
            est.vocabulary, est.idf_weights, config, n_blocks, names
        )
        est._set_fitted(vocabularies, weights, config)
    else:
        counts, names = count_dask(est, X, config, reset=True)
        est._fit_counts(counts, names, config)


def count_dask(est, X, config, *, reset):
    """Term counts of each vocabulary block of `X`, and its column names.

    Each partition is read, checked and counted where it lives, exactly as
    ``fit`` reads, checks and counts a pandas DataFrame; the counts travel as
    plain data (:meth:`TermCounts.to_dict`) and are merged in a tree of tasks,
    `SPLIT_EVERY` at a time. Only the merged counts come back, so no process
    holds a whole column. The graph runs on the active Dask scheduler (a
    ``distributed.Client`` when one is set). Empty partitions are skipped.

    Like ``validate_data``, this sets (``reset=True``) or checks
    ``n_features_in_`` and ``feature_names_in_`` of `est`.

    Parameters
    ----------
    est : StringLookupTransformer
    X : dask.dataframe.DataFrame or dask.array.Array of shape \
            (n_samples, n_features)
    config : Config
        The resolved parameters of `est`.
    reset : bool
        Whether to set, rather than check, the input features.

    Returns
    -------
    counts : list of TermCounts
        One per vocabulary block.
    names : ndarray of str or None
        The column names, when they are all str.
    """
    X = _check_collection(X)
    names = _check_columns(est, X, config, reset=reset)
    return _count_partitions(est, X), names


def transform_dask(est, X):
    """Lazy ``est.transform`` of a Dask DataFrame or 2-D Dask Array.

    Every partition goes through ``est.transform``, so the results equal
    those of the pandas or NumPy path exactly. The estimator is copied when
    this is called: refitting it later does not change the result.

    Parameters
    ----------
    est : StringLookupTransformer
        A fitted estimator.
    X : dask.dataframe.DataFrame or dask.array.Array of shape \
            (n_samples, n_features)

    Returns
    -------
    X_out : dask.dataframe.DataFrame or dask.array.Array
        For a DataFrame in ``int`` mode (and with ``invert=True``): a
        DataFrame with the same index, whose columns are
        ``est.get_feature_names_out()``. Otherwise a 2-D Dask Array of
        unknown chunk lengths for DataFrame input and of the input's row
        chunks for Array input; its chunks are SciPy CSR matrices when
        ``sparse=True``.
    """
    import dask

    config = est._fitted_config()
    X = _check_collection(X)
    _check_columns(est, X, config, reset=False)

    # A shallow copy keeps the fitted attributes of this moment: fit and
    # set_params replace attributes, they never change them in place.
    snapshot = copy.copy(est)
    shipped = dask.delayed(snapshot, name=f"skstringlookup-{uuid.uuid4().hex}")
    empty = _empty_output(est, config)
    frame_out = config.output_mode == "int" and not _is_array(X)

    if frame_out:
        import pandas as pd

        columns = est.get_feature_names_out()
        meta = pd.DataFrame(
            empty,
            index=X._meta.index,
            columns=pd.Index(columns, dtype=object),
            dtype=empty.dtype,
        )
        return X.map_partitions(
            _transform_frame, shipped, meta, meta=meta, enforce_metadata=False
        )

    if not _is_array(X):
        return X.map_partitions(
            _transform_array, shipped, empty, meta=empty, enforce_metadata=False
        )

    import dask.array as da

    width = empty.shape[1]
    blocks = X.rechunk({1: -1}).to_delayed().ravel()
    parts = [
        da.from_delayed(
            dask.delayed(_transform_array, pure=True)(block, shipped, empty),
            shape=(rows, width),
            dtype=empty.dtype,
            meta=empty,
        )
        for block, rows in zip(blocks, X.chunks[0], strict=True)
    ]
    return da.concatenate(parts, axis=0)


# Checks on the collection and its metadata ----------------------------------------


def _is_array(X):
    return type(X).__module__.startswith("dask.array")


def _is_series(X):
    return hasattr(X, "_meta") and hasattr(X._meta, "to_frame")


def _check_collection(X):
    """`X` if it is a Dask DataFrame or 2-D Dask Array; raise otherwise."""
    if _is_array(X):
        if X.ndim != 2:
            msg = (
                f"X must be 2-D, one column per feature. Got a {X.ndim}-D Dask "
                "Array instead; reshape a single feature with X.reshape(-1, 1)."
            )
            raise ValueError(msg)
        return X
    if hasattr(X, "_meta") and hasattr(X._meta, "columns"):
        return X
    hint = "; make a Series a DataFrame with .to_frame()" if _is_series(X) else ""
    msg = (
        "X must be a Dask DataFrame or a 2-D Dask Array. Got "
        f"{type(X).__name__} instead{hint}."
    )
    raise TypeError(msg)


def _sample(X):
    """An empty and a one-row stand-in of `X`, with its columns and dtypes."""
    if _is_array(X):
        n_cols = X.shape[1]
        return np.empty((0, n_cols), dtype=X.dtype), np.zeros((1, n_cols), X.dtype)
    return X._meta, X._meta_nonempty


def _check_columns(est, X, config, *, reset):
    """Check the columns of `X` as ``fit`` or ``transform`` checks them.

    Sets (``reset=True``) or checks ``n_features_in_`` and
    ``feature_names_in_`` through scikit-learn's ``validate_data`` on the
    empty metadata, which holds the columns but no rows; column types are
    read from Dask's made-up non-empty metadata, so that a column that cannot
    hold text fails now rather than at compute time. Returns the column names
    as the estimator keeps them (None unless all are str).
    """
    from sklearn.utils.validation import validate_data

    empty, sample = _sample(X)
    columns, names, _ = split_frame(sample, type(est).__name__)
    validate_data(est, X=empty, reset=reset, skip_check_array=True)
    if not config.invert:
        read_text_columns(columns, names, config.encoding)
    return names


def _empty_output(est, config):
    """The transform of zero rows, with the output's width and dtype."""
    n_features = est.n_features_in_
    if config.invert:
        return np.empty((0, n_features), dtype=object)
    widths = [n_features] if config.shared_vocabulary else [1] * n_features
    blocks = [np.empty((0, w), dtype=np.int64) for w in widths]
    depths = [config.depth(len(terms)) for terms in est.vocabularies_]
    return encode(blocks, depths, config, getattr(est, "idf_weights_", None))


# Work done on the partitions -------------------------------------------------------


def _count_partitions(est, X):
    """Term counts of each vocabulary block over all partitions of `X`."""
    import dask
    from sklearn.base import clone

    if _is_array(X):
        parts = list(X.rechunk({1: -1}).to_delayed().ravel())
    else:
        parts = X.to_delayed()

    template = dask.delayed(clone(est), name=f"skstringlookup-{uuid.uuid4().hex}")
    count = dask.delayed(_count_partition, pure=True)
    level = [count(template, part) for part in parts]
    merge = dask.delayed(_merge_counts, pure=True)
    while len(level) > 1:
        level = [
            merge(*level[i : i + SPLIT_EVERY])
            for i in range(0, len(level), SPLIT_EVERY)
        ]
    (merged,) = dask.compute(*level)

    if merged is None:
        # Every partition is empty: raise the error a 0-row frame raises.
        split_frame(_sample(X)[0], type(est).__name__)
    return [TermCounts.from_dict(state) for state in merged]


def _count_partition(est, part):
    """Term counts of one partition, as plain data; None when it has no rows.

    The cells are read and checked exactly as ``fit`` reads them.
    """
    if len(part) == 0:
        return None
    config = resolve_config(est)
    columns, names, _ = split_frame(part, type(est).__name__)
    columns = read_text_columns(columns, names, config.encoding)
    est._check_missing(columns, names, config)
    return [counts.to_dict() for counts in est._count_blocks(columns, config)]


def _merge_counts(*parts):
    """Merged plain-data counts of several partitions; None if all are empty."""
    parts = [part for part in parts if part is not None]
    if not parts:
        return None
    if len(parts) == 1:
        return parts[0]
    merged = []
    for block in zip(*parts, strict=True):
        counts = [TermCounts.from_dict(state) for state in block]
        merged.append(functools.reduce(TermCounts.merge, counts).to_dict())
    return merged


def _transform_frame(part, est, meta):
    """``int`` mode output of one partition, as a DataFrame with its index."""
    import pandas as pd

    values = np.asarray(est.transform(part)) if len(part) else meta.to_numpy()
    # An explicit dtype, or pandas 3 would turn the terms of invert=True into
    # its str dtype.
    return pd.DataFrame(
        values, index=part.index, columns=meta.columns, dtype=meta.dtypes.iloc[0]
    )


def _transform_array(part, est, empty):
    """Output of one partition or block, as ``est.transform`` gives it."""
    if len(part) == 0:
        return empty
    out = est.transform(part)
    if hasattr(out, "to_numpy"):
        # set_output(transform="pandas") on the estimator: keep arrays.
        out = out.to_numpy()
    return out
