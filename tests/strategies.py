"""Hypothesis strategies for the skstringlookup tests.

Cells (text, numbers, missing), columns and frames built from them in every
container the transformer reads, and sets of transformer parameters. Text
strategies never produce lone surrogates: the transformer rejects those, so
they are not valid input.
"""

import math
from typing import NamedTuple

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, Phase
from hypothesis import strategies as st

# Settings shared by the slow property tests. No explain phase: it reruns a
# failing example hundreds of times.
HYPOTHESIS = {
    "deadline": None,
    "suppress_health_check": [
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ],
    "phases": [p for p in Phase if p is not Phase.explain],
    "report_multiple_bugs": False,
}

__all__ = [
    "CONTAINERS",
    "FRAMES",
    "FrameSample",
    "MISSING",
    "NUMERIC_CONTAINERS",
    "OUTPUT_MODES",
    "TEXT_CONTAINERS",
    "TRICKY_TEXT",
    "VALID_CHARACTERS",
    "any_params",
    "column_cells",
    "frame_samples",
    "is_missing",
    "long_text",
    "make_column",
    "make_frame",
    "missing_cells",
    "numeric_cells",
    "params",
    "text_cells",
    "text_of",
    "text_pools",
]

OUTPUT_MODES = ("int", "one_hot", "multi_hot", "count", "tf_idf")

# Every code point except the surrogates, NUL included.
VALID_CHARACTERS = st.characters(exclude_categories=["Cs"])

# Cells that have broken string handling somewhere: NUL (leading, inside and
# trailing), each kind of line break, combining marks, emoji sequences,
# look-alikes, whitespace, the default special tokens.
TRICKY_TEXT = (
    "",
    " ",
    "\x00",
    "\x00\x00",
    "a\x00",
    "ab\x00",
    "\x00ab",
    "a\x00b",
    "\n",
    "\r",
    "\r\n",
    "a\rb",
    "a\nb",
    "\u2028",
    "\u2029",
    "\x85",
    "\x0b\x0c\x1c",
    "e\u0301",
    "\u00e9",
    "\U0001f642",
    "\U0001f469\u200d\U0001f469\u200d\U0001f467",
    "\ufeff",
    "[UNK]",
    "[MASK]",
    "a",
    "A",
    "a ",
    "b",
)

# Missing cells as pandas and NumPy users write them.
MISSING = (None, float("nan"), np.float64("nan"), pd.NA)

# Containers of a pandas column of text, and of a column of numbers. NumPy
# frames and lists of rows hold every column as Python objects.
TEXT_CONTAINERS = (
    "object",
    "str",
    "string",
    "string[python]",
    "large_string[pyarrow]",
    "category",
)
NUMERIC_CONTAINERS = ("object", "native")
# Text columns of a polars frame: plain strings or categoricals.
POLARS_TEXT = ("polars_string", "polars_categorical")
CONTAINERS = (*TEXT_CONTAINERS, "native", "numpy", *POLARS_TEXT)


def is_missing(cell):
    """Whether `cell` is one of the missing values the transformer accepts."""
    if cell is None or cell is pd.NA:
        return True
    return isinstance(cell, float) and math.isnan(cell)


def text_of(cell):
    """The term a cell is looked up as: its ``str()`` text, None when missing."""
    if is_missing(cell):
        return None
    return cell if isinstance(cell, str) else str(cell)


def long_text(min_size=1_000, max_size=20_000):
    """Very long strings, built by repetition so that they are cheap to draw."""
    pieces = st.text(VALID_CHARACTERS, min_size=1, max_size=4)
    sizes = st.integers(min_size, max_size)
    return st.tuples(pieces, sizes).map(lambda p: (p[0] * p[1])[: p[1]])


def text_cells(max_size=6, *, long=True):
    """Any valid text cell, with the tricky ones, trailing NULs and long ones."""
    short = st.text(VALID_CHARACTERS, max_size=max_size)
    options = [
        st.sampled_from(TRICKY_TEXT),
        short,
        short.map(lambda s: s + "\x00"),
        st.text(st.sampled_from("ab\x00\r\n\u2028\x85\u0301"), max_size=3),
    ]
    if long:
        options.append(long_text())
    return st.one_of(options)


def numeric_cells(kind=None):
    """Numbers: ints, or floats (infinities and -0.0 included, never NaN)."""
    ints = st.integers(-(2**62), 2**62) | st.integers(-3, 3)
    floats = st.floats(allow_nan=False) | st.sampled_from([0.5, 1.0, -0.0, 2.0])
    if kind == "int":
        return ints
    if kind == "float":
        return floats
    return ints | floats


def missing_cells():
    """A missing cell: None, NaN (Python or NumPy) or ``pd.NA``."""
    return st.sampled_from(MISSING)


def text_pools(min_size=1, max_size=6, *, long=True):
    """A small set of terms to draw column cells from, so that terms repeat."""
    return st.lists(
        text_cells(long=long), min_size=min_size, max_size=max_size, unique=True
    )


@st.composite
def column_cells(draw, n_rows, *, pool=None, missing=True, kind="text", long=True):
    """`n_rows` cells of one column, as a list of Python objects.

    Text cells are drawn from `pool` (a list of terms, drawn when None) and,
    now and then, from outside it; numeric cells from a small pool of ints or
    of floats. Missing cells appear when `missing` is true.
    """
    if kind == "text":
        pool = draw(text_pools(long=long)) if pool is None else pool
        cell = st.sampled_from(pool) | text_cells(long=False)
    else:
        numbers = st.lists(numeric_cells(kind), min_size=1, max_size=5, unique=True)
        cell = st.sampled_from(draw(numbers))
    if missing:
        cell = st.one_of(cell, cell, cell, missing_cells())
    return draw(st.lists(cell, min_size=n_rows, max_size=n_rows))


def _column_kind(cells):
    present = [c for c in cells if not is_missing(c)]
    if any(isinstance(c, str) for c in present):
        return "text"
    if any(isinstance(c, float) for c in present):
        return "float"
    if present:
        return "int"
    return "text"


def make_column(cells, container):
    """A pandas Series or 1-D NumPy array holding `cells`.

    ``"object"``, ``"str"`` (pandas' default text dtype), the ``"string"``
    dtypes, ``"category"`` and ``"native"`` (Int64/float64 for numbers) are
    Series; ``"numpy"`` is an object array.
    """
    if container == "numpy":
        out = np.empty(len(cells), dtype=object)
        out[:] = cells
        return out
    if container == "native":
        kind = _column_kind(cells)
        if kind == "int":
            values = [None if is_missing(c) else c for c in cells]
            return pd.Series(values, dtype="Int64")
        values = [np.nan if is_missing(c) else c for c in cells]
        return pd.Series(values, dtype="float64")
    if container == "object":
        out = np.empty(len(cells), dtype=object)
        out[:] = cells
        return pd.Series(out, dtype=object)
    if container.endswith("[pyarrow]"):
        # pandas' Arrow dtypes take None for a missing cell, not NaN.
        cells = [None if is_missing(c) else c for c in cells]
    return pd.Series(list(cells), dtype=container)


def make_frame(columns, containers=None, *, frame="pandas", names=None):
    """A frame from column cell lists.

    `frame` is ``"pandas"`` (one container per column), ``"numpy"`` (a 2-D
    object array), ``"numpy_str"`` (a 2-D NumPy str array: text only, no
    missing cells, trailing NULs dropped by NumPy), ``"polars"`` or
    ``"list"`` (a list of row lists).
    """
    n_rows = len(columns[0])
    names = names or [f"c{j}" for j in range(len(columns))]
    if frame == "pandas":
        containers = containers or ("object",) * len(columns)
        data = {
            name: make_column(cells, container)
            for name, cells, container in zip(names, columns, containers, strict=True)
        }
        return pd.DataFrame(data, index=pd.RangeIndex(n_rows))
    if frame == "polars":
        import polars as pl

        containers = containers or ("polars_string",) * len(columns)
        types = {"int": pl.Int64, "float": pl.Float64}
        series = []
        for name, cells, container in zip(names, columns, containers, strict=True):
            kind = _column_kind(cells)
            if kind == "text":
                text = (
                    pl.Categorical if container == "polars_categorical" else pl.String
                )
                dtype = text
            else:
                dtype = types[kind]
            values = [None if is_missing(c) else c for c in cells]
            series.append(pl.Series(name, values, dtype=dtype))
        return pl.DataFrame(series)
    rows = [[cells[i] for cells in columns] for i in range(n_rows)]
    if frame == "numpy":
        out = np.empty((n_rows, len(columns)), dtype=object)
        for i, row in enumerate(rows):
            out[i, :] = row
        return out
    if frame == "numpy_str":
        return np.array(rows, dtype=str)
    return rows


def _frame_kinds():
    kinds = ["pandas", "numpy", "numpy_str", "list"]
    try:
        import polars  # noqa: F401
    except ImportError:
        return tuple(kinds)
    return (*kinds, "polars")


FRAMES = _frame_kinds()
# Frames whose columns each have their own container.
TABLES = ("pandas", "polars")


class FrameSample(NamedTuple):
    """A frame to fit, a frame to transform, and the cells behind them."""

    X: object
    X_new: object
    columns: list
    new_columns: list
    frame: str
    containers: tuple


@st.composite
def frame_samples(
    draw,
    *,
    min_rows=1,
    max_rows=12,
    min_cols=1,
    max_cols=3,
    missing=True,
    numeric=True,
    long=True,
    frames=FRAMES,
):
    """A fit frame and a transform frame of the same layout.

    Each column is text or (when `numeric`) numbers. The transform frame
    draws from the same term pools plus unseen terms, so it holds known
    terms, unseen terms and missing cells. The cell lists are what the
    frames hold (a NumPy str array drops trailing NULs, so they are dropped
    from its cell lists too).
    """
    n_rows = draw(st.integers(min_rows, max_rows))
    n_new = draw(st.integers(1, max_rows))
    n_cols = draw(st.integers(min_cols, max_cols))
    frame = draw(st.sampled_from(frames))
    if frame == "numpy_str":
        numeric = missing = False

    columns, new_columns, containers = [], [], []
    for _ in range(n_cols):
        kinds = ["text", "int", "float"] if numeric else ["text"]
        kind = draw(st.sampled_from(kinds))
        if kind == "text":
            pool = draw(text_pools(long=long))
            cells = draw(column_cells(n_rows, pool=pool, missing=missing))
            new = draw(column_cells(n_new, pool=pool, missing=missing))
            choices = TEXT_CONTAINERS
        else:
            cells = draw(column_cells(n_rows, missing=missing, kind=kind))
            seen = [c for c in cells if not is_missing(c)]
            pool = st.sampled_from(seen) if seen else numeric_cells(kind)
            cell = pool | numeric_cells(kind)
            if missing:
                cell = cell | missing_cells()
            new = draw(st.lists(cell, min_size=n_new, max_size=n_new))
            choices = NUMERIC_CONTAINERS
        if frame == "polars" and kind == "text":
            choices = POLARS_TEXT
        container = draw(st.sampled_from(choices)) if frame in TABLES else frame
        columns.append(cells)
        new_columns.append(new)
        containers.append(container)

    containers = tuple(containers)
    if frame == "numpy_str":
        columns = [[c.rstrip("\x00") for c in cells] for cells in columns]
        new_columns = [[c.rstrip("\x00") for c in cells] for cells in new_columns]
    X = make_frame(columns, containers, frame=frame)
    X_new = make_frame(new_columns, containers, frame=frame)
    return FrameSample(X, X_new, columns, new_columns, frame, containers)


@st.composite
def params(
    draw,
    *,
    modes=OUTPUT_MODES,
    num_oov_indices=(0, 1, 3),
    masks=(None, "", "[MASK]"),
    shared=(False, True),
    invert=(False, True),
    min_frequency=True,
    handle_missing=("oov", "mask", "error"),
):
    """A valid parameter set: the transformer and the Keras layer accept it.

    Covers every output mode, the mask on and off, 0, 1 or 3 OOV indices,
    ``max_tokens`` just above the reserved slots, ``min_frequency`` as a
    count or a share, ``pad_to_max_tokens``, ``sparse``, a shared
    vocabulary, ``invert`` (``int`` mode only) and ``handle_missing``.
    """
    mode = draw(st.sampled_from(modes))
    mask = draw(st.sampled_from(masks))
    k = draw(st.sampled_from(num_oov_indices))
    reserved = k + (1 if mask is not None and mode == "int" else 0)
    # Keras refuses max_tokens <= 1 whatever the reserved slots.
    lowest = max(reserved + 1, 2)
    max_tokens = draw(st.none() | st.integers(lowest, lowest + 5))
    pad = max_tokens is not None and draw(st.booleans())
    frequency = None
    if min_frequency:
        frequency = draw(
            st.none() | st.integers(1, 3) | st.floats(0.05, 0.5, allow_subnormal=False)
        )
    missing_choices = [h for h in handle_missing if h != "mask" or mask is not None]
    oov_token = draw(st.sampled_from(["[UNK]", "[UNK]", "<oov>", ""]))
    if oov_token == mask:
        oov_token = "[UNK]"
    return {
        "output_mode": mode,
        "mask_token": mask,
        "oov_token": oov_token,
        "num_oov_indices": k,
        "max_tokens": max_tokens,
        "pad_to_max_tokens": pad,
        "sparse": mode != "int" and draw(st.booleans()),
        "invert": mode == "int" and draw(st.sampled_from(invert)),
        "shared_vocabulary": draw(st.sampled_from(shared)),
        "min_frequency": frequency,
        "handle_missing": draw(st.sampled_from(missing_choices)),
    }


@st.composite
def any_params(draw):
    """Parameters drawn one by one, so that some sets are invalid.

    Invalid sets include ``sparse`` in ``int`` mode, ``invert`` outside it,
    ``max_tokens`` at or below the reserved slots, ``mask_token`` equal to
    ``oov_token``, ``handle_missing="mask"`` without a mask, a negative
    ``num_oov_indices`` and an unknown output mode.
    """
    mask = draw(st.sampled_from([None, "", "[UNK]", "[MASK]"]))
    return {
        "output_mode": draw(st.sampled_from((*OUTPUT_MODES, "binary", "tf-idf", "x"))),
        "mask_token": mask,
        "num_oov_indices": draw(st.sampled_from([0, 1, 3, -1])),
        "max_tokens": draw(st.none() | st.integers(0, 8)),
        "pad_to_max_tokens": draw(st.booleans()),
        "sparse": draw(st.booleans()),
        "invert": draw(st.booleans()),
        "shared_vocabulary": draw(st.booleans()),
        "min_frequency": draw(st.none() | st.integers(0, 3) | st.sampled_from([0.3])),
        "handle_missing": draw(st.sampled_from(["oov", "mask", "error", "drop"])),
    }
