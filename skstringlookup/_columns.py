"""Turning user input into one Arrow text array, or one index array, per column.

Text columns come out as ``pyarrow.large_string`` arrays whose nulls are the
missing cells (``None``, ``NaN``, ``pd.NA``, ``pd.NaT``). Numbers become their
``str()`` text; ``bytes`` are decoded with the ``encoding`` parameter. Anything
else raises an error that names the column.
"""

import numbers

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

__all__ = [
    "column_kind",
    "column_label",
    "is_pandas_frame",
    "read_index_columns",
    "read_text_columns",
    "split_frame",
]

_TEXT = pa.large_string()


def column_label(names, j):
    """How error messages name column `j`."""
    if names is not None:
        return f"column {names[j]!r}"
    return f"column {j}"


def is_pandas_frame(X):
    """Whether `X` is a pandas DataFrame (not a Series)."""
    module = type(X).__module__
    return module.startswith("pandas") and getattr(X, "ndim", 0) == 2


def _is_polars_frame(X):
    return type(X).__module__.startswith("polars") and hasattr(X, "get_column")


def split_frame(X, estimator_name, *, min_rows=1):
    """Split `X` into 1-D columns; also return the names and the checked `X`.

    Columns are pandas Series, Arrow arrays (polars) or NumPy arrays. The
    errors for bad shapes are scikit-learn's. ``min_rows=0`` lets an empty batch
    through (transform), as the Keras layer does.
    """
    from sklearn.utils.validation import check_array

    if is_pandas_frame(X):
        n_rows, n_cols = X.shape
        _check_shape(n_rows, n_cols, X.shape, estimator_name, min_rows)
        names = np.asarray(X.columns, dtype=object)
        _check_unique(names)
        if not all(isinstance(name, str) for name in names):
            names = None
        return [X.iloc[:, j] for j in range(n_cols)], names, X

    if _is_polars_frame(X):
        n_rows, n_cols = X.shape
        _check_shape(n_rows, n_cols, X.shape, estimator_name, min_rows)
        names = np.asarray(X.columns, dtype=object)
        _check_unique(names)
        columns = [X.get_column(name).to_arrow() for name in X.columns]
        # scikit-learn reads polars column names only from version 1.7 on; an
        # empty pandas frame with the same columns tells them to any version.
        import pandas as pd

        return columns, names, pd.DataFrame(columns=list(X.columns))

    if hasattr(X, "toarray") or hasattr(X, "tocsr"):
        msg = (
            f"X must be dense text data; {estimator_name} does not take sparse "
            f"input. Got {type(X).__name__} instead."
        )
        raise TypeError(msg)

    if isinstance(X, (list, tuple)):
        # Lists go through an object array: a NumPy str array would silently
        # drop trailing NUL characters from every cell.
        X = np.array(X, dtype=object)
    X = check_array(
        X,
        dtype=None,
        ensure_all_finite=False,
        ensure_min_samples=min_rows,
        estimator=estimator_name,
        input_name="X",
    )
    return [X[:, j] for j in range(X.shape[1])], None, X


def _check_unique(names):
    values, counts = np.unique(names.astype(str), return_counts=True)
    if (counts > 1).any():
        repeated = ", ".join(
            f"{str(v)!r} {c} times"
            for v, c in zip(values, counts, strict=True)
            if c > 1
        )
        msg = (
            "X must have unique column names, so that each column can be named "
            f"in errors and in the output. Got {repeated}."
        )
        raise ValueError(msg)


def _check_shape(n_rows, n_cols, shape, estimator_name, min_rows):
    if n_rows < min_rows:
        msg = (
            f"Found array with 0 sample(s) (shape={shape}) while a minimum of "
            f"{min_rows} is required by {estimator_name}."
        )
        raise ValueError(msg)
    if n_cols < 1:
        msg = (
            f"Found array with 0 feature(s) (shape={shape}) while a minimum of 1 "
            f"is required by {estimator_name}."
        )
        raise ValueError(msg)


def column_kind(col):
    """What a column's cells are read from: "text", "integer", "float",
    "bool", or None when it holds nothing but missing cells.

    Numbers become their ``str()`` text, which differs between kinds (``1``
    reads "1", ``1.0`` reads "1.0"), so chunks of one column must agree.
    """
    from pandas.api.types import infer_dtype

    if isinstance(col, (pa.Array, pa.ChunkedArray)):
        t = col.type
        if pa.types.is_dictionary(t):
            t = t.value_type
        if pa.types.is_integer(t):
            return "integer"
        if pa.types.is_floating(t):
            return "float"
        if pa.types.is_boolean(t):
            return "bool"
        return None if pa.types.is_null(t) else "text"

    inferred = infer_dtype(col, skipna=True)
    kinds = {
        "string": "text",
        "bytes": "text",
        "categorical": None,
        "integer": "integer",
        "floating": "float",
        "mixed-integer-float": "float",
        "decimal": "float",
        "boolean": "bool",
        "empty": None,
    }
    if inferred == "categorical":
        return column_kind(col.cat.categories)
    return kinds.get(inferred, "text")


def read_text_columns(columns, names, encoding):
    """Convert every column to an Arrow ``large_string`` array."""
    return [
        _text_column(col, column_label(names, j), encoding)
        for j, col in enumerate(columns)
    ]


def _text_column(col, label, encoding):
    if isinstance(col, (pa.Array, pa.ChunkedArray)):
        return _text_from_arrow(col, label, encoding)
    if hasattr(col, "array") and hasattr(col, "dtype"):
        return _text_from_series(col, label, encoding)
    return _text_from_numpy(np.asarray(col), label, encoding)


def _text_from_series(s, label, encoding):
    dtype = s.dtype
    name = getattr(dtype, "name", str(dtype))

    if name == "category":
        categories = _text_column(s.cat.categories, label, encoding)
        codes = s.cat.codes.to_numpy()
        indices = pa.array(codes, mask=codes < 0)
        return pc.take(categories, indices)

    if name in ("str", "string") or name.startswith("string["):
        try:
            arr = pa.array(s.array, from_pandas=True)
        except UnicodeError:
            # Python-backed strings may hold lone surrogates: find the cell.
            return _text_from_objects_slowly(s.to_numpy(dtype=object), label, encoding)
        return _text_from_arrow(arr, label, encoding)

    if isinstance(dtype, np.dtype):
        return _text_from_numpy(s.to_numpy(), label, encoding)

    # pandas extension types: nullable numbers and booleans, Arrow-backed types.
    try:
        arr = pa.array(s.array, from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError):
        return _text_from_numpy(s.to_numpy(dtype=object), label, encoding)
    return _text_from_arrow(arr, label, encoding)


def _text_from_arrow(arr, label, encoding):
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    t = arr.type

    if pa.types.is_dictionary(t):
        return _text_from_arrow(arr.dictionary_decode(), label, encoding)
    if pa.types.is_string(t) or pa.types.is_large_string(t):
        return arr.cast(_TEXT)
    if pa.types.is_string_view(t):
        return arr.cast(_TEXT)
    if pa.types.is_null(t):
        return pa.nulls(len(arr), _TEXT)
    if pa.types.is_integer(t):
        return arr.cast(_TEXT)
    if pa.types.is_binary(t) or pa.types.is_large_binary(t):
        if encoding == "utf-8":
            try:
                return arr.cast(_TEXT)
            except pa.ArrowInvalid:
                pass
        return _text_from_objects(
            np.array(arr.to_pylist(), dtype=object), label, encoding
        )
    if pa.types.is_floating(t) or pa.types.is_boolean(t):
        return _text_from_numpy(
            arr.to_numpy(zero_copy_only=False), label, encoding, nulls=arr.is_null()
        )
    msg = (
        f"{label} has Arrow type {t}, which is neither text nor numbers. Convert "
        "it to str first."
    )
    raise TypeError(msg)


def _text_from_numpy(values, label, encoding, nulls=None):
    kind = values.dtype.kind

    if kind == "O":
        return _text_from_objects(values, label, encoding)
    if kind == "U":
        # Through Python str objects: Arrow's own conversion of NumPy str
        # arrays cuts each cell at its first NUL character.
        return _text_from_objects(values.astype(object), label, encoding)
    if kind == "S":
        return _text_from_objects(values.astype(object), label, encoding)
    if kind in "iu":
        return pa.array(values).cast(_TEXT)
    if kind in "fb":
        missing = np.isnan(values) if kind == "f" else np.zeros(len(values), bool)
        if nulls is not None:
            missing |= np.asarray(nulls, dtype=bool)
        # str() of NumPy scalars, so that float32 0.1 reads "0.1".
        text = values.astype(str).astype(object)
        text[missing] = None
        return pa.array(text, type=_TEXT)
    msg = (
        f"{label} has dtype {values.dtype}, which is neither text nor numbers. "
        "Convert it to str first, for example with .astype(str)."
    )
    raise TypeError(msg)


def _text_from_objects(values, label, encoding):
    try:
        arr = pa.array(values, from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError, UnicodeError, TypeError):
        arr = None
    if arr is not None:
        t = arr.type
        if pa.types.is_string(t) or pa.types.is_large_string(t):
            return arr.cast(_TEXT)
        if pa.types.is_null(t):
            return pa.nulls(len(arr), _TEXT)
        if pa.types.is_integer(t):
            return arr.cast(_TEXT)
    return _text_from_objects_slowly(values, label, encoding)


def _is_missing(value):
    if value is None:
        return True
    if isinstance(value, (float, np.floating)):
        return value != value
    module = type(value).__module__
    if module.startswith("pandas"):
        name = type(value).__name__
        return name in ("NAType", "NaTType")
    return False


def _text_from_objects_slowly(values, label, encoding):
    """Cell-by-cell conversion that explains exactly which cell is at fault."""
    out = np.empty(len(values), dtype=object)
    first_text = first_number = None

    for row, value in enumerate(values):
        if _is_missing(value):
            out[row] = None
        elif isinstance(value, str):
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                msg = (
                    f"{label} holds a str at row {row} that cannot be encoded as "
                    f"UTF-8 (it has a lone surrogate): {value!r}. Fix the text, "
                    "for example with .encode('utf-8', 'replace').decode()."
                )
                raise ValueError(msg) from None
            out[row] = value
            first_text = row if first_text is None else first_text
        elif isinstance(value, (bytes, bytearray, np.bytes_)):
            try:
                out[row] = bytes(value).decode(encoding)
            except UnicodeDecodeError:
                msg = (
                    f"{label} holds bytes at row {row} that are not valid "
                    f"{encoding}: {bytes(value)!r}. Set the encoding parameter to "
                    "the text's encoding, or decode the column first."
                )
                raise ValueError(msg) from None
            first_text = row if first_text is None else first_text
        elif isinstance(value, numbers.Real) and not isinstance(value, np.timedelta64):
            out[row] = str(value)
            first_number = row if first_number is None else first_number
        else:
            msg = (
                f"{label} holds a {type(value).__name__} at row {row}: {value!r}. "
                "Cells must be str, bytes, numbers or missing."
            )
            raise TypeError(msg)

    if first_text is not None and first_number is not None:
        msg = (
            f"{label} mixes numbers and strings (a number at row {first_number}, "
            f"a string at row {first_text}). Convert the column to one type "
            "first, for example with .astype(str), so that 1 and '1' are not "
            "looked up as the same term by accident."
        )
        raise TypeError(msg)
    return pa.array(out, type=_TEXT)


def read_index_columns(columns, names, what):
    """Convert every column to an int64 NumPy array of indices.

    `what` names the operation in the error messages.
    """
    return [
        _index_column(col, column_label(names, j), what)
        for j, col in enumerate(columns)
    ]


def _index_column(col, label, what):
    if isinstance(col, (pa.Array, pa.ChunkedArray)):
        col = col.to_numpy(zero_copy_only=False)
    elif hasattr(col, "array") and hasattr(col, "dtype"):
        kind = getattr(col.dtype, "kind", "O")
        if col.hasnans:
            msg = (
                f"{label} has missing values; {what} maps indices to terms and "
                "needs an index in every cell."
            )
            raise ValueError(msg)
        col = col.to_numpy(dtype=np.int64 if kind in "iu" else None)
    values = np.asarray(col)

    if values.dtype.kind == "O":
        flags = [v for v in values if isinstance(v, (bool, np.bool_))]
        if flags:
            msg = (
                f"{label} must hold integer indices, but {label} holds a bool "
                f"({flags[0]!r}), which {what} does not read as an index. Pass "
                "indices, not booleans."
            )
            raise TypeError(msg)
        if all(isinstance(v, numbers.Integral) for v in values):
            # Integers beyond int64 are outside any vocabulary: index -1.
            values = np.array(
                [int(v) if -(2**63) <= v < 2**63 else -1 for v in values],
                dtype=np.int64,
            )
        elif all(isinstance(v, numbers.Real) for v in values):
            values = values.astype(np.float64)
        else:
            bad = next(v for v in values if not isinstance(v, numbers.Real))
            msg = (
                f"{label} holds a {type(bad).__name__} ({bad!r}); {what} maps "
                "integer indices to terms. Pass indices, not terms."
            )
            raise TypeError(msg)

    kind = values.dtype.kind
    if kind in "iu":
        if kind == "u" and values.size and values.max() > np.iinfo(np.int64).max:
            # Beyond int64 is beyond any vocabulary: index -1, the OOV token.
            too_large = values > np.iinfo(np.int64).max
            return np.where(too_large, 0, values).astype(np.int64) - too_large
        return values.astype(np.int64, copy=False)
    if kind == "f":
        if np.isnan(values).any():
            msg = (
                f"{label} has missing values (NaN); {what} maps indices to terms "
                "and needs an index in every cell."
            )
            raise ValueError(msg)
        if not np.all(np.isinf(values) | (values == np.floor(values))):
            bad = values[~(np.isinf(values) | (values == np.floor(values)))][0]
            msg = (
                f"{label} holds the non-integer index {bad!r}; {what} needs whole "
                "numbers."
            )
            raise ValueError(msg)
        clipped = np.clip(values, -1, np.iinfo(np.int64).max // 2)
        return clipped.astype(np.int64)
    msg = (
        f"{label} has dtype {values.dtype}; {what} maps integer indices to terms. "
        "Pass indices, not terms."
    )
    raise TypeError(msg)
