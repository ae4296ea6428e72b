"""Bad and odd inputs: each gives a clear error or a documented mapping."""

import re
from decimal import Decimal

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from sklearn.exceptions import NotFittedError

from skstringlookup import StringLookupTransformer

ENGINES = ["arrow", "keras"]
MB = "x" * (1 << 20)
SURROGATE = "a\ud800b"


def _fit(engine="arrow", X=None, **params):
    if X is None:
        X = pd.DataFrame({"a": ["x", "y", "x"], "b": ["u", "v", "v"]})
    return StringLookupTransformer(engine=engine, **params).fit(X)


def _column(cells, dtype=object):
    return pd.DataFrame({"a": pd.Series(cells, dtype=dtype)})


def _write(tmp_path, data, name="vocab.txt"):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def _ravel(out):
    return np.asarray(out).ravel().tolist()


# Shapes and columns ---------------------------------------------------------------

EMPTY_INPUTS = {
    "frame_without_rows": (
        pd.DataFrame({"a": pd.Series([], dtype=object)}),
        "0 sample",
    ),
    "frame_without_anything": (pd.DataFrame(), "0 sample"),
    "frame_without_columns": (pd.DataFrame(index=[0, 1, 2]), "0 feature"),
    "array_without_rows": (np.empty((0, 1), dtype=object), "0 sample"),
    "array_without_columns": (np.empty((3, 0), dtype=object), "0 feature"),
}


@pytest.mark.parametrize("name", list(EMPTY_INPUTS), ids=list(EMPTY_INPUTS))
def test_fit_rejects_empty_input(name):
    """An empty frame or one without columns is refused, naming what is missing."""
    X, what = EMPTY_INPUTS[name]

    with pytest.raises(ValueError, match=rf"{what}\(s\).*minimum of 1 is required"):
        StringLookupTransformer(engine="arrow").fit(X)


@pytest.mark.parametrize("engine", ENGINES, ids=ENGINES)
@pytest.mark.parametrize(
    ("X", "what"),
    [(pd.DataFrame(index=[0, 1]), "0 feature")],
    ids=["no_columns"],
)
def test_transform_rejects_empty_input(engine, X, what):
    """transform refuses a frame without columns (0 rows give 0 rows back)."""
    fitted = _fit(engine, X=pd.DataFrame({"a": ["x", "y"]}))

    with pytest.raises(ValueError, match=rf"{what}\(s\).*minimum of 1 is required"):
        fitted.transform(X)


@pytest.mark.parametrize(
    ("X", "match"),
    [
        (["a", "b"], r"(?s)Expected 2D array, got 1D array.*Reshape your data"),
        (
            np.array(["a", "b"]),
            r"(?s)Expected 2D array, got 1D array.*Reshape your data",
        ),
        (pd.Series(["a", "b"]), r"2-dimensional container.*Pass a DataFrame"),
        (np.array([[["a"]]]), r"Found array with dim 3"),
    ],
    ids=["list", "array", "series", "three_dimensional"],
)
def test_fit_rejects_input_that_is_not_two_dimensional(X, match):
    """1-D and 3-D input get scikit-learn's shape error, saying how to reshape."""
    with pytest.raises(ValueError, match=match):
        StringLookupTransformer(engine="arrow").fit(X)


def test_fit_rejects_sparse_input():
    """A SciPy sparse matrix is refused: the transformer reads text."""
    import scipy.sparse as sp

    with pytest.raises(TypeError, match="X must be dense text data.*csr_matrix"):
        StringLookupTransformer(engine="arrow").fit(sp.csr_matrix(np.eye(2)))


def test_fit_rejects_duplicate_column_names():
    """Two columns with one name are refused, naming the column."""
    X = pd.DataFrame([["a", "b"]], columns=["x", "x"])

    with pytest.raises(ValueError, match=r"(?s)unique column names.*'x' 2 times"):
        StringLookupTransformer(engine="arrow").fit(X)


@pytest.mark.parametrize("engine", ENGINES, ids=ENGINES)
@pytest.mark.parametrize(
    ("X", "match"),
    [
        (pd.DataFrame({"b": ["u"], "a": ["x"]}), "same order as they were in fit"),
        (pd.DataFrame({"a": ["x"]}), r"seen at fit time, yet now missing:\n- b"),
        (pd.DataFrame({"a": ["x"], "c": ["u"]}), r"unseen at fit time:\n- c"),
    ],
    ids=["swapped", "missing_column", "renamed_column"],
)
def test_transform_rejects_other_column_names(engine, X, match):
    """Columns renamed, dropped or reordered are refused, never silently swapped."""
    fitted = _fit(engine)

    with pytest.raises(ValueError, match=match):
        fitted.transform(X)


@pytest.mark.parametrize("engine", ENGINES, ids=ENGINES)
@pytest.mark.parametrize("n_columns", [1, 3], ids=["fewer", "more"])
def test_transform_rejects_another_number_of_columns(engine, n_columns):
    """An array with another number of columns names both counts."""
    fitted = _fit(engine, X=np.array([["x", "u"], ["y", "v"]]))

    with pytest.raises(
        ValueError,
        match=f"X has {n_columns} features, but StringLookupTransformer is expecting "
        "2 features as input",
    ):
        fitted.transform(np.full((2, n_columns), "x"))


# Missing values -------------------------------------------------------------------

ALL_MISSING = {
    "none": pd.Series([None, None], dtype=object),
    "nan": pd.Series([np.nan, np.nan]),
    "pd_na_string": pd.Series([pd.NA, pd.NA], dtype="string"),
    "default_str": pd.Series([None, None], dtype="str"),
    "nullable_int": pd.Series([None, None], dtype="Int64"),
    "category": pd.Series(pd.Categorical([None, None], categories=["x"])),
}


@pytest.mark.parametrize("name", list(ALL_MISSING), ids=list(ALL_MISSING))
def test_fit_rejects_an_all_missing_column(name):
    """A column with nothing to learn is named, with the ways out."""
    X = pd.DataFrame({"a": ["x", "y"], "b": ALL_MISSING[name]})

    with pytest.raises(
        ValueError,
        match=r"column 'b' has no term to learn: .*Drop the column.*pass a vocabulary",
    ):
        StringLookupTransformer(engine="arrow").fit(X)


def test_fit_rejects_all_missing_shared_vocabulary():
    """With a shared vocabulary, no term in any column is an error about X."""
    X = pd.DataFrame({"a": [None, None], "b": [np.nan, None]})

    with pytest.raises(ValueError, match=r"X has no term to learn.*pass a vocabulary"):
        StringLookupTransformer(engine="arrow", shared_vocabulary=True).fit(X)


@pytest.mark.parametrize(
    ("params", "cells"),
    [
        ({}, ["[UNK]", "[UNK]"]),
        ({"mask_token": ""}, ["", ""]),
        ({"min_frequency": 3}, ["x", "y"]),
    ],
    ids=["only_oov_token", "only_mask_token", "below_min_frequency"],
)
def test_fit_rejects_a_column_of_special_tokens(params, cells):
    """Cells that can never be learned leave the column empty: an error."""
    with pytest.raises(ValueError, match=r"column 'a' has no term to learn: .*vocab"):
        StringLookupTransformer(engine="arrow", **params).fit(_column(cells))


@pytest.mark.parametrize("stage", ["fit", "transform"], ids=["fit", "transform"])
def test_handle_missing_error_names_the_column(stage):
    """handle_missing='error' names the column and how many cells are missing."""
    fitted = _fit(X=_column(["x", "y"]), handle_missing="error")
    X = _column(["x", None, np.nan])
    call = fitted.fit if stage == "fit" else fitted.transform

    with pytest.raises(
        ValueError,
        match=r"column 'a' has 2 missing cells .*handle_missing='error'\. Fill them",
    ):
        call(X)


@pytest.mark.parametrize("engine", ENGINES, ids=ENGINES)
@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, [[1, 0], [0, 0]]),
        ({"mask_token": "[MASK]", "handle_missing": "mask"}, [[2, 0], [0, 0]]),
        ({"num_oov_indices": 3}, [[3, 0], [0, 0]]),
    ],
    ids=["oov", "mask", "three_oov"],
)
def test_transform_maps_an_all_missing_column(engine, params, expected):
    """Missing cells go to the first OOV index, or to the mask when asked."""
    fitted = _fit(engine, X=pd.DataFrame({"a": ["x"], "b": ["u"]}), **params)
    X = pd.DataFrame({"a": ["x", None], "b": pd.Series([None, np.nan], dtype=object)})

    assert fitted.transform(X).tolist() == expected


# Small batches and large ones take different paths through the Arrow engine.
N_ROWS = [2, 100]


@pytest.mark.parametrize("engine", ENGINES, ids=ENGINES)
@pytest.mark.parametrize("n_rows", N_ROWS, ids=["small", "large"])
def test_missing_cell_without_an_oov_index_raises(engine, n_rows):
    """num_oov_indices=0 leaves missing cells nowhere to go: a clear error."""
    fitted = _fit(engine, X=_column(["x"]), num_oov_indices=0)

    with pytest.raises(
        ValueError,
        match=r"column 'a' has 1 missing cells.*num_oov_indices=0.*"
        r"Set handle_missing='mask'",
    ):
        fitted.transform(_column(["x"] * (n_rows - 1) + [None]))


@pytest.mark.parametrize("engine", ENGINES, ids=ENGINES)
@pytest.mark.parametrize("n_rows", N_ROWS, ids=["small", "large"])
def test_unseen_term_without_an_oov_index_raises(engine, n_rows):
    """num_oov_indices=0 and an unseen term: the error names the term."""
    fitted = _fit(engine, X=_column(["x"]), num_oov_indices=0)

    with pytest.raises(
        ValueError,
        match=re.escape("column 'a' has 1 cells whose terms are not in the vocabulary")
        + r", such as \['zz'\].*Set num_oov_indices >= 1",
    ):
        fitted.transform(_column(["x"] * (n_rows - 1) + ["zz"]))


# Long, undecodable and look-alike strings -------------------------------------------


@pytest.mark.parametrize("engine", ENGINES, ids=ENGINES)
def test_megabyte_string_is_kept_exactly(engine):
    """A 1 MB term is learned whole; strings differing at its end are OOV."""
    fitted = _fit(engine, X=_column([MB, "y", MB]))
    X = _column([MB, "y", MB + "z", MB[:-1], None])

    out = fitted.transform(X)
    back = fitted.inverse_transform(pd.DataFrame({"a": _ravel(out)}))

    assert fitted.vocabularies_ == [[MB, "y"]]
    assert _ravel(out) == [1, 2, 0, 0, 0]
    assert _ravel(back) == [MB, "y", "[UNK]", "[UNK]", "[UNK]"]


BAD_BYTES = {
    "object": lambda: _column([b"ok", b"\xff\xfe"]),
    "numpy_bytes": lambda: np.array([[b"ok"], [b"\xff\xfe"]]),
    "arrow_binary": lambda: _column(
        [b"ok", b"\xff\xfe"], dtype=pd.ArrowDtype(pa.binary())
    ),
}


@pytest.mark.parametrize("stage", ["fit", "transform"], ids=["fit", "transform"])
@pytest.mark.parametrize("container", list(BAD_BYTES), ids=list(BAD_BYTES))
def test_bytes_not_valid_in_encoding_raise(container, stage):
    """Undecodable bytes name the column, the row and the encoding to set."""
    X = BAD_BYTES[container]()
    label = "column 0" if isinstance(X, np.ndarray) else "column 'a'"
    fitted = _fit(X=X[:1] if isinstance(X, np.ndarray) else X.iloc[:1])
    call = fitted.fit if stage == "fit" else fitted.transform

    with pytest.raises(
        ValueError,
        match=re.escape(f"{label} holds bytes at row 1 that are not valid utf-8: ")
        + r".*Set the encoding parameter",
    ):
        call(X)


@pytest.mark.parametrize("engine", ENGINES, ids=ENGINES)
def test_bytes_are_decoded_with_the_encoding(engine):
    """Bytes cells are decoded with `encoding`, so b'\\xe9' is the term 'é'."""
    fitted = _fit(engine, X=_column([b"\xe9", "é", b"x"]), encoding="latin-1")

    assert fitted.vocabularies_ == [["é", "x"]]
    assert _ravel(fitted.transform(_column([b"x", "é", b"\xe9"]))) == [2, 1, 1]


def test_bytes_not_valid_in_encoding_in_vocabulary_raise():
    """Undecodable bytes in a given vocabulary name their position."""
    with pytest.raises(
        ValueError,
        match=re.escape("vocabulary holds bytes at position 1 that are not valid "),
    ):
        _fit(X=_column(["x"]), vocabulary=[b"x", b"\xff"])


SURROGATE_INPUTS = {
    "object_series": (lambda: _column(["ok", SURROGATE]), "column 'a'"),
    "object_array": (lambda: np.array([["ok"], [SURROGATE]], dtype=object), "column 0"),
    "list": (lambda: [["ok"], [SURROGATE]], "column 0"),
    "unicode_array": (lambda: np.array([["ok"], [SURROGATE]]), "column 0"),
    "python_string_dtype": (
        lambda: _column(["ok", SURROGATE], dtype="string[python]"),
        "column 'a'",
    ),
}


@pytest.mark.parametrize("stage", ["fit", "transform"], ids=["fit", "transform"])
@pytest.mark.parametrize(
    "container", list(SURROGATE_INPUTS), ids=list(SURROGATE_INPUTS)
)
def test_lone_surrogate_raises_naming_the_column(container, stage):
    """A str with a lone surrogate cannot be UTF-8: the column and fix are named."""
    make, label = SURROGATE_INPUTS[container]
    ok = _column(["ok"]) if label == "column 'a'" else [["ok"]]
    fitted = _fit(X=ok)
    call = fitted.fit if stage == "fit" else fitted.transform

    with pytest.raises(
        ValueError, match=re.escape(label) + r".*lone surrogate.*Fix the text"
    ):
        call(make())


def test_lone_surrogate_in_vocabulary_raises():
    """A given vocabulary term with a lone surrogate is refused at fit."""
    with pytest.raises(ValueError, match="vocabulary holds a term that is not valid"):
        _fit(X=_column(["ok"]), vocabulary=["ok", SURROGATE])


@pytest.mark.parametrize("param", ["mask_token", "oov_token"], ids=str)
def test_lone_surrogate_in_special_token_raises(param):
    """A special token that is not valid UTF-8 is refused at fit, by name."""
    with pytest.raises(ValueError, match=rf"{param} .*(UTF-8|surrogate)"):
        _fit(X=_column(["ok"]), **{param: SURROGATE})


@pytest.mark.parametrize("engine", ENGINES, ids=ENGINES)
def test_look_alike_terms_stay_distinct(engine):
    """NUL, accents, case, spaces and line breaks never merge two terms."""
    terms = ["ab", "ab\x00", "é", "e\u0301", "A", "a", " a", "a\n", "a\r", "a\rb", ""]
    fitted = _fit(engine, X=_column(terms + ["ab"]))
    expected = {term: i + 1 for i, term in enumerate(fitted.vocabularies_[0])}

    out = fitted.transform(_column(terms))

    assert sorted(fitted.vocabularies_[0]) == sorted(terms)
    assert fitted.vocabularies_[0][0] == "ab"
    assert _ravel(out) == [expected[t] for t in terms]


# Cells of the wrong kind ----------------------------------------------------------

CONTAINER_CELLS = {
    "list": (["x"], "list"),
    "dict": ({"x": 1}, "dict"),
    "set": ({"x"}, "set"),
    "tuple": (("x",), "tuple"),
    "ndarray": (np.array(["x"]), "ndarray"),
    "decimal": (Decimal("1.5"), "Decimal"),
    "complex": (1 + 2j, "complex"),
    "object": (object(), "object"),
}


@pytest.mark.parametrize("stage", ["fit", "transform"], ids=["fit", "transform"])
@pytest.mark.parametrize("kind", list(CONTAINER_CELLS), ids=list(CONTAINER_CELLS))
def test_cells_that_are_not_text_or_numbers_raise(kind, stage):
    """A list, dict or other object in a cell names the column, row and type."""
    cell, type_name = CONTAINER_CELLS[kind]
    X = pd.DataFrame({"a": pd.Series(["y", cell], dtype=object)})
    fitted = _fit(X=_column(["y"]))
    call = fitted.fit if stage == "fit" else fitted.transform

    with pytest.raises(
        TypeError,
        match=rf"column 'a' holds a {type_name} at row 1: .*"
        r"Cells must be str, bytes, numbers or missing",
    ):
        call(X)


def _polars_frame(values):
    pl = pytest.importorskip("polars")
    return pl.DataFrame({"a": values})


NESTED_COLUMNS = {
    "arrow_list": lambda: _column(
        [["x"], ["y"]], dtype=pd.ArrowDtype(pa.list_(pa.string()))
    ),
    "polars_list": lambda: _polars_frame([["x"], ["y"]]),
    "polars_struct": lambda: _polars_frame([{"k": 1}, {"k": 2}]),
    "datetime": lambda: pd.DataFrame({"a": pd.to_datetime(["2020-01-01"])}),
    "complex": lambda: pd.DataFrame({"a": [1 + 2j]}),
}


@pytest.mark.parametrize("kind", list(NESTED_COLUMNS), ids=list(NESTED_COLUMNS))
def test_columns_that_are_not_text_or_numbers_raise(kind):
    """Nested, date and complex columns name the column and ask for str."""
    with pytest.raises(TypeError, match=r"column 'a' has (Arrow type|dtype) .*Convert"):
        StringLookupTransformer(engine="arrow").fit(NESTED_COLUMNS[kind]())


MIXED = {
    "int_and_str": ([1, "1", "b"], 0, 1),
    "float_and_str": (["b", 2.5], 1, 0),
    "bool_and_str": ([True, "x"], 0, 1),
    "numpy_int_and_str": ([np.int64(3), "x"], 0, 1),
}


@pytest.mark.parametrize("stage", ["fit", "transform"], ids=["fit", "transform"])
@pytest.mark.parametrize("kind", list(MIXED), ids=list(MIXED))
def test_mixed_numbers_and_strings_raise(kind, stage):
    """A column mixing numbers and strings names both rows and the cure."""
    cells, number_row, text_row = MIXED[kind]
    fitted = _fit(X=_column(["b"]))
    call = fitted.fit if stage == "fit" else fitted.transform

    with pytest.raises(
        TypeError,
        match=rf"column 'a' mixes numbers and strings \(a number at row {number_row}, "
        rf"a string at row {text_row}\).*\.astype\(str\)",
    ):
        call(_column(cells))


@pytest.mark.parametrize("engine", ENGINES, ids=ENGINES)
@pytest.mark.parametrize(
    ("column", "vocabulary", "queries", "expected"),
    [
        (pd.Series([101, 102, 101]), ["101", "102"], [102, 999, 101], [2, 0, 1]),
        (pd.Series([1.0, 2.5, np.nan, 2.5]), ["2.5", "1.0"], [1.0, 2.5], [2, 1]),
        (pd.Series([0.0, -0.0, 0.0]), ["0.0", "-0.0"], [-0.0, 0.0], [2, 1]),
        (pd.Series([True, False, True]), ["True", "False"], [False, True], [2, 1]),
        (pd.array([7, None, 8, 8], dtype="Int64"), ["8", "7"], [7, 8], [2, 1]),
        (pd.Series([1, 2, 1]), ["1", "2"], ["1", "2.0"], [1, 0]),
    ],
    ids=["int", "float_with_nan", "signed_zero", "bool", "nullable_int", "int_as_str"],
)
def test_numbers_are_looked_up_by_their_text(
    engine, column, vocabulary, queries, expected
):
    """Number columns map through str(): 1.0 is '1.0', never the term '1'."""
    fitted = _fit(engine, X=pd.DataFrame({"a": column}))

    out = fitted.transform(pd.DataFrame({"a": pd.Series(queries)}))

    assert fitted.vocabularies_ == [vocabulary]
    assert _ravel(out) == expected


# Indices for invert and inverse_transform -----------------------------------------


def _inverter(kind, engine="arrow"):
    """A transformer mapping indices to terms, with vocabulary ['a', 'b']."""
    invert = kind == "invert"
    fitted = _fit(engine, X=[["a"], ["b"]], vocabulary=["a", "b"], invert=invert)
    call = fitted.transform if invert else fitted.inverse_transform
    return call, ("transform" if invert else "inverse_transform")


INVERSE_KINDS = ["invert", "inverse_transform"]

TERMS_AS_INDICES = {
    "list_of_str": [["a"], ["b"]],
    "unicode_array": np.array([["1"]]),
    "object_mixed": np.array([[1], ["a"]], dtype=object),
    "bytes": np.array([[b"1"]], dtype=object),
    "none": np.array([[1], [None]], dtype=object),
}


@pytest.mark.parametrize("kind", INVERSE_KINDS, ids=INVERSE_KINDS)
@pytest.mark.parametrize("name", list(TERMS_AS_INDICES), ids=list(TERMS_AS_INDICES))
def test_terms_given_where_indices_are_expected_raise(kind, name):
    """Strings given to invert or inverse_transform name the column; no guessing."""
    call, what = _inverter(kind)

    with pytest.raises(
        TypeError,
        match=rf"column 0 (holds|has dtype) .*{what} maps integer indices to terms\. "
        r"Pass indices, not terms\.",
    ):
        call(TERMS_AS_INDICES[name])


@pytest.mark.parametrize("engine", ENGINES, ids=ENGINES)
@pytest.mark.parametrize("kind", INVERSE_KINDS, ids=INVERSE_KINDS)
@pytest.mark.parametrize(
    ("indices", "expected"),
    [
        (np.array([[0], [1], [2], [99], [-1]]), ["[UNK]", "a", "b", "[UNK]", "[UNK]"]),
        (np.array([[1.0], [2.0], [-3.0]]), ["a", "b", "[UNK]"]),
        (np.array([[np.inf], [-np.inf], [1e300]]), ["[UNK]", "[UNK]", "[UNK]"]),
        (np.array([[2**63 - 1], [-(2**63)]]), ["[UNK]", "[UNK]"]),
        (np.array([[2**64 - 1], [1]], dtype=np.uint64), ["[UNK]", "a"]),
        (np.array([[2**70], [2]], dtype=object), ["[UNK]", "b"]),
        (np.array([[1], [np.int8(2)]], dtype=object), ["a", "b"]),
    ],
    ids=[
        "negative_and_too_large",
        "whole_floats",
        "infinite",
        "int64_limits",
        "uint64_max",
        "python_int_beyond_int64",
        "object_ints",
    ],
)
def test_indices_outside_the_vocabulary_map_to_oov_token(
    engine, kind, indices, expected
):
    """Every index outside the layout, however large, becomes oov_token."""
    call, _ = _inverter(kind, engine)

    out = call(indices)

    assert _ravel(out) == expected
    assert all(type(term) is str for term in _ravel(out))


@pytest.mark.parametrize("kind", INVERSE_KINDS, ids=INVERSE_KINDS)
@pytest.mark.parametrize(
    ("indices", "error", "match"),
    [
        (np.array([[1.5]]), ValueError, r"non-integer index .*1\.5.*whole numbers"),
        (np.array([[1.0], [np.nan]]), ValueError, r"missing values \(NaN\).*every"),
        (
            pd.DataFrame({0: pd.array([1, None], dtype="Int64")}),
            ValueError,
            r"missing values; .* needs an index in every cell",
        ),
        (np.array([[True]]), TypeError, r"dtype bool; .*Pass indices, not terms"),
        (
            np.array([[True], [1]], dtype=object),
            TypeError,
            r"column 0 holds a bool .*Pass indices",
        ),
    ],
    ids=["fraction", "nan", "nullable_missing", "bool_array", "object_bools"],
)
def test_indices_that_are_not_whole_numbers_raise(kind, indices, error, match):
    """Fractions, NaN and booleans are refused with the column named."""
    call, _ = _inverter(kind)

    with pytest.raises(error, match=r"column 0 .*" + match):
        call(indices)


@pytest.mark.parametrize("mode", ["one_hot", "multi_hot", "count", "tf_idf"], ids=str)
def test_inverse_transform_needs_int_mode(mode):
    """inverse_transform on an encoding says which output_mode it needs."""
    fitted = _fit(X=_column(["x", "y"]), output_mode=mode)

    with pytest.raises(
        ValueError,
        match=re.escape(f"needs output_mode='int'. Got output_mode='{mode}' instead"),
    ):
        fitted.inverse_transform([[1]])


@pytest.mark.parametrize("engine", ENGINES, ids=ENGINES)
def test_mask_and_oov_slots_invert_to_their_tokens(engine):
    """With a mask and 3 OOV slots, each reserved index inverts to its token."""
    fitted = _fit(
        engine, X=_column(["a", "b", "b", ""]), mask_token="", num_oov_indices=3
    )

    out = fitted.inverse_transform(pd.DataFrame({"a": [0, 1, 2, 3, 4, 5, 6]}))

    assert _ravel(out) == ["", "[UNK]", "[UNK]", "[UNK]", "b", "a", "[UNK]"]


# Parameters set to wrong values ---------------------------------------------------

BAD_PARAMS = [
    ("max_tokens", "3", ValueError, r"max_tokens must be None or an int greater"),
    ("max_tokens", 2.5, ValueError, r"max_tokens must be None or an int greater"),
    ("max_tokens", True, ValueError, r"max_tokens must be None or an int greater"),
    ("max_tokens", 0, ValueError, r"reserved indices \(1: 1 OOV\).*Got 0 instead"),
    ("max_tokens", -1, ValueError, r"reserved indices \(1: 1 OOV\).*Got -1 instead"),
    ("num_oov_indices", "1", ValueError, r"num_oov_indices must be an int >= 0"),
    ("num_oov_indices", -1, ValueError, r"num_oov_indices must be an int >= 0"),
    ("num_oov_indices", 1.0, ValueError, r"num_oov_indices must be an int >= 0"),
    ("num_oov_indices", None, ValueError, r"num_oov_indices must be an int >= 0"),
    ("num_oov_indices", True, ValueError, r"num_oov_indices must be an int >= 0"),
    ("mask_token", 0, TypeError, r"mask_token must be None or a str\. Got 0"),
    ("mask_token", b"m", TypeError, r"mask_token must be None or a str\. Got b'm'"),
    ("mask_token", "[UNK]", ValueError, r"mask_token must differ from oov_token"),
    ("oov_token", None, TypeError, r"oov_token must be a str\. Got None"),
    ("oov_token", 1, TypeError, r"oov_token must be a str\. Got 1"),
    ("vocabulary", 5, TypeError, r"vocabulary must be a list of str terms\. Got 5"),
    ("vocabulary", {"x"}, TypeError, r"vocabulary must be a list of str terms"),
    ("idf_weights", [1.0], ValueError, r"idf_weights must be None unless output_mode"),
    ("invert", "yes", TypeError, r"invert must be a bool\. Got 'yes'"),
    ("invert", 1, TypeError, r"invert must be a bool\. Got 1"),
    ("output_mode", "ints", ValueError, r"output_mode must be one of \('int'"),
    ("output_mode", None, ValueError, r"output_mode must be one of .*Got None"),
    ("output_mode", "INT", ValueError, r"output_mode must be one of .*Got 'INT'"),
    ("pad_to_max_tokens", "no", TypeError, r"pad_to_max_tokens must be a bool"),
    ("pad_to_max_tokens", True, ValueError, r"max_tokens must be set when pad_to_max"),
    ("sparse", 1, TypeError, r"sparse must be a bool\. Got 1"),
    ("sparse", True, ValueError, r"sparse=True needs output_mode 'one_hot'"),
    ("encoding", "no-such-codec", ValueError, r"encoding must be the name of a Python"),
    ("encoding", None, ValueError, r"encoding must be the name of a Python codec"),
    ("encoding", "base64", ValueError, r"encoding must be .*text encoding"),
    ("encoding", "rot13", ValueError, r"encoding must be .*text encoding"),
    ("handle_missing", "drop", ValueError, r"handle_missing must be one of \('oov'"),
    ("handle_missing", "mask", ValueError, r"handle_missing='mask' .*mask_token must"),
    ("shared_vocabulary", "x", TypeError, r"shared_vocabulary must be a bool"),
    ("dtype", "nope", TypeError, r"dtype must be None or a NumPy dtype"),
    ("dtype", object, ValueError, r"dtype must be a numeric NumPy dtype"),
    ("dtype", "datetime64[s]", ValueError, r"dtype must be a numeric NumPy dtype"),
    ("dtype", np.complex64, ValueError, r"dtype must be a numeric NumPy dtype"),
    ("engine", "torch", ValueError, r"engine must be one of \('keras', 'arrow'\)"),
    ("engine", "Arrow", ValueError, r"engine must be one of .*Got 'Arrow'"),
    ("min_frequency", 0, ValueError, r"min_frequency must be None, an int >= 1"),
    ("min_frequency", 1.5, ValueError, r"min_frequency must be .*in \(0, 1\]"),
    ("min_frequency", True, ValueError, r"min_frequency must be None, an int >= 1"),
    ("min_frequency", "2", ValueError, r"min_frequency must be None, an int >= 1"),
    ("min_frequency", float("nan"), ValueError, r"min_frequency must be None"),
]


@pytest.mark.parametrize(
    ("param", "value", "error", "match"),
    BAD_PARAMS,
    ids=[f"{p}={v!r}" for p, v, _, _ in BAD_PARAMS],
)
def test_bad_parameter_fails_at_fit_naming_it(param, value, error, match):
    """set_params accepts anything; fit then names the parameter and the fix."""
    est = StringLookupTransformer(engine="arrow")

    assert est.set_params(**{param: value}) is est
    with pytest.raises(error, match=match):
        est.fit(_column(["x", "y", "x"]))


@pytest.mark.parametrize(
    ("params", "n_terms"),
    [
        ({"dtype": "int8"}, 300),
        ({"dtype": "uint8"}, 300),
        ({"dtype": "float16"}, 3000),
        ({"dtype": "int8", "mask_token": "", "num_oov_indices": 3}, 125),
        ({"dtype": bool}, 2),
    ],
    ids=["int8", "uint8", "float16", "int8_with_mask_and_oov", "bool"],
)
def test_dtype_too_small_for_the_indices_raises(params, n_terms):
    """A dtype that cannot hold an index is refused by name, never wrapped."""
    vocabulary = [f"t{i}" for i in range(n_terms)]
    est = StringLookupTransformer(engine="arrow", vocabulary=vocabulary, **params)
    X = _column(vocabulary[-2:])

    with pytest.raises(ValueError, match=r"\bdtype\b.*(hold|fit)"):
        est.fit(X).transform(X)


def test_dtype_too_small_for_a_count_raises():
    """A count above the dtype's range is refused by name, never wrapped."""
    X = np.full((1, 200), "x", dtype=object)
    est = StringLookupTransformer(
        engine="arrow", dtype="int8", output_mode="count", shared_vocabulary=True
    )

    with pytest.raises(ValueError, match=r"\bdtype\b.*(hold|fit)"):
        est.fit(X).transform(X)


@pytest.mark.parametrize("engine", ENGINES, ids=ENGINES)
@pytest.mark.parametrize("mode", ["one_hot", "multi_hot"], ids=str)
def test_bool_dtype_holds_hot_encodings(engine, mode):
    """0/1 encodings fit a bool dtype exactly, so it is accepted."""
    X = _column(["x", "y", "x", "zz"])
    as_int = _fit(engine, X=X, output_mode=mode).transform(X)

    out = _fit(engine, X=X, output_mode=mode, dtype=bool).transform(X)

    assert out.dtype == np.bool_
    np.testing.assert_array_equal(out, as_int.astype(bool))


@pytest.mark.parametrize("mode", ["int", "one_hot"], ids=str)
def test_max_tokens_of_one_names_the_real_bound(mode):
    """max_tokens=1 is refused (Keras wants > 1) by a message stating that bound."""
    with pytest.raises(
        ValueError, match=r"max_tokens must be .*(greater than 1|at least 2|>= 2)"
    ):
        _fit(X=_column(["x"]), output_mode=mode, num_oov_indices=0, max_tokens=1)


def test_dtype_that_holds_every_index_is_used():
    """An int8 dtype is fine while the largest index fits."""
    fitted = _fit(X=_column([f"t{i}" for i in range(126)]), dtype="int8")

    out = fitted.transform(_column(["t0", "zz"]))

    assert out.dtype == np.int8
    assert _ravel(out) == [fitted.vocabularies_[0].index("t0") + 1, 0]


@pytest.mark.parametrize("dtype", ["int64", "uint8", bool], ids=str)
def test_tf_idf_with_an_integer_dtype_raises(dtype):
    """tf-idf weights cannot be integers: truncating them to 0 is refused."""
    with pytest.raises(ValueError, match=r"dtype .*tf_idf|tf_idf.*dtype"):
        _fit(X=_column(["x", "x", "y"]), output_mode="tf_idf", dtype=dtype)


@pytest.mark.parametrize(
    "share", [0.5, np.float64(0.5), np.float32(0.5)], ids=["float", "f64", "f32"]
)
def test_min_frequency_float_is_a_share(share):
    """A float min_frequency, NumPy or not, is a share of the non-missing cells."""
    fitted = _fit(X=_column(["a", "a", "a", "b", "b", "c"]), min_frequency=share)

    assert fitted.vocabularies_ == [["a"]]


@pytest.mark.parametrize("engine", ENGINES, ids=ENGINES)
@pytest.mark.parametrize(
    ("params", "match"),
    [
        ({"num_oov_indices": -1}, r"num_oov_indices must be an int >= 0"),
        ({"mask_token": "x"}, r"vocabularies_\[0\] holds the mask token 'x'"),
        ({"oov_token": "y"}, r"vocabularies_\[0\] holds the OOV token 'y'"),
        ({"max_tokens": 2}, r"vocabularies_\[0\] has 2 terms, but max_tokens=2"),
        ({"shared_vocabulary": True}, r"vocabularies_ must be a list of 1 term"),
        ({"output_mode": "tf_idf"}, r"needs idf_weights_, which this transformer"),
    ],
    ids=[
        "bad_value",
        "mask_in_vocabulary",
        "oov_in_vocabulary",
        "max_tokens",
        "shared",
        "tf_idf",
    ],
)
def test_parameter_changed_after_fit_fails_at_transform(engine, params, match):
    """A parameter that no longer fits the fitted state names itself at transform."""
    fitted = _fit(engine)
    fitted.transform(pd.DataFrame({"a": ["x"], "b": ["u"]}))
    fitted.set_params(**params)

    with pytest.raises(ValueError, match=match):
        fitted.transform(pd.DataFrame({"a": ["x"], "b": ["u"]}))


# Given vocabularies and idf weights -----------------------------------------------

BAD_TERMS = {
    "none": (["a", None], "None (NoneType) at position 1"),
    "nan": (["a", np.nan], "nan (float) at position 1"),
    "int": (["a", 1], "1 (int) at position 1"),
    "only_numbers": ([1, 2], "1 (int) at position 0"),
    "bool": (["a", True], "True (bool) at position 1"),
    "object_array": (np.array(["a", None], dtype=object), "None (NoneType)"),
}


@pytest.mark.parametrize("name", list(BAD_TERMS), ids=list(BAD_TERMS))
def test_vocabulary_with_none_or_numbers_raises(name):
    """Non-str terms in a vocabulary are named with their position."""
    vocabulary, where = BAD_TERMS[name]

    with pytest.raises(
        TypeError,
        match=r"vocabulary must hold only str terms\. Got "
        + re.escape(where)
        + r".*convert numbers to their str\(\) text",
    ):
        _fit(X=_column(["a"]), vocabulary=vocabulary)


TWO_COLUMNS = pd.DataFrame({"p": ["a", "b"], "q": ["x", "y"]})

BAD_VOCABULARIES = {
    "empty": ([], ValueError, r"vocabulary must hold at least one term"),
    "empty_nested": ([[]], ValueError, r"vocabulary must hold at least one term"),
    "only_special_prefix": (["[UNK]"], ValueError, r"hold at least one term"),
    "two_dimensional": (np.array([["a"]]), TypeError, r"must be a list of str terms"),
    "series": (pd.Series(["a"]), TypeError, r"vocabulary must be a list of str terms"),
    "repeated": (["a", "b", "a"], ValueError, r"must not repeat terms\. .*\['a'\]"),
    "oov_inside": (["a", "[UNK]"], ValueError, r"OOV token '\[UNK\]' at position 1"),
    "too_long": (["a", "b", "c"], ValueError, r"has 3 terms, but max_tokens=3"),
}


@pytest.mark.parametrize("name", list(BAD_VOCABULARIES), ids=list(BAD_VOCABULARIES))
def test_bad_vocabulary_raises(name):
    """Empty, repeated, reserved or oversized vocabularies are refused at fit."""
    vocabulary, error, match = BAD_VOCABULARIES[name]
    params = {"max_tokens": 3} if name == "too_long" else {}

    with pytest.raises(error, match=match):
        _fit(X=_column(["a"]), vocabulary=vocabulary, **params)


BAD_COLUMN_VOCABULARIES = {
    "missing_column": (
        {"p": ["a"]},
        {},
        r"one entry per column.*Missing columns: \['q'\]",
    ),
    "unknown_column": (
        {"p": ["a"], "q": ["x"], "r": ["z"]},
        {},
        r"unknown columns: \['r'\]",
    ),
    "empty_entry": ({"p": ["a"], "q": []}, {}, r"vocabulary\['q'\] must hold at least"),
    "repeated_entry": (
        {"p": ["a"], "q": ["x", "x"]},
        {},
        r"vocabulary\['q'\] must not",
    ),
    "one_list": (["a"], {}, r"one list per column of X \(2 columns\), or be a dict"),
    "too_few_lists": ([["a"]], {}, r"one list per column of X \(2\)\. Got 1 lists"),
    "dict_when_shared": (
        {"p": ["a"], "q": ["x"]},
        {"shared_vocabulary": True},
        r"vocabulary must be one list when shared_vocabulary=True",
    ),
}


@pytest.mark.parametrize(
    "name", list(BAD_COLUMN_VOCABULARIES), ids=list(BAD_COLUMN_VOCABULARIES)
)
def test_bad_per_column_vocabulary_raises(name):
    """Per-column vocabularies must match the columns of X one to one."""
    vocabulary, params, match = BAD_COLUMN_VOCABULARIES[name]

    with pytest.raises(ValueError, match=match):
        _fit(X=TWO_COLUMNS, vocabulary=vocabulary, **params)


def test_vocabulary_dict_needs_column_names():
    """A dict vocabulary for an array without names says a DataFrame is needed."""
    with pytest.raises(ValueError, match=r"vocabulary can be a dict only when X has"):
        _fit(X=[["a"]], vocabulary={"x0": ["a"]})


def test_vocabulary_with_min_frequency_raises():
    """min_frequency has nothing to act on when the vocabulary is given."""
    with pytest.raises(ValueError, match=r"min_frequency must be None when a vocab"):
        _fit(X=_column(["a"]), vocabulary=["a"], min_frequency=2)


@pytest.mark.parametrize("engine", ENGINES, ids=ENGINES)
@pytest.mark.parametrize(
    ("vocabulary", "params", "expected"),
    [
        (["[UNK]", "a", "b"], {}, [1, 2, 0]),
        (["[MASK]", "[UNK]", "a", "b"], {"mask_token": "[MASK]"}, [2, 3, 1]),
        (["[UNK]"] * 3 + ["a", "b"], {"num_oov_indices": 3}, [3, 4, 1]),
    ],
    ids=["oov", "mask_and_oov", "three_oov"],
)
def test_vocabulary_special_prefix_is_stripped(engine, vocabulary, params, expected):
    """A leading run of exactly the special tokens is dropped, as Keras does."""
    fitted = _fit(engine, X=_column(["a"]), vocabulary=vocabulary, **params)

    out = fitted.transform(_column(["a", "b", "zz"]))

    assert fitted.vocabularies_ == [["a", "b"]]
    assert _ravel(out) == expected


BAD_IDF = {
    "short": ([1.0], r"idf_weights must have one weight per vocabulary entry \(2\)"),
    "long": ([1.0, 2.0, 3.0], r"one weight per vocabulary entry \(2\)\. Got 3"),
    "nan": ([1.0, np.nan], r"idf_weights must hold finite numbers"),
    "inf": ([np.inf, 1.0], r"idf_weights must hold finite numbers"),
    "strings": (["1", "2"], r"idf_weights must be a 1-D list of numbers"),
    "scalar": (1.0, r"idf_weights must be a 1-D list of numbers"),
    "missing": (None, r"idf_weights must be given with the vocabulary"),
}


@pytest.mark.parametrize("name", list(BAD_IDF), ids=list(BAD_IDF))
def test_bad_idf_weights_raise(name):
    """idf_weights of the wrong length or kind are refused at fit."""
    weights, match = BAD_IDF[name]

    with pytest.raises(ValueError, match=match):
        _fit(
            X=_column(["a"]),
            output_mode="tf_idf",
            vocabulary=["a", "b"],
            idf_weights=weights,
        )


def test_idf_weights_of_the_wrong_length_for_a_column_raise():
    """With per-column weights, the column at fault is named."""
    with pytest.raises(ValueError, match=r"idf_weights\[1\] must have one weight .*2"):
        _fit(
            X=TWO_COLUMNS,
            output_mode="tf_idf",
            vocabulary={"p": ["a"], "q": ["x", "y"]},
            idf_weights={"p": [1.0], "q": [1.0]},
        )


@pytest.mark.parametrize(
    ("params", "terms"),
    [
        ({"output_mode": "multi_hot", "num_oov_indices": 2}, ["[UNK]_1", "a"]),
        (
            {"output_mode": "count", "max_tokens": 5, "pad_to_max_tokens": True},
            ["[PAD]_3", "a"],
        ),
    ],
    ids=["oov_slot_name", "padding_name"],
)
def test_feature_names_stay_unique_when_terms_look_generated(params, terms):
    """A term spelled like an OOV or padding column name never duplicates a name."""
    fitted = _fit(X=_column(terms), **params)

    names = fitted.get_feature_names_out().tolist()

    assert len(names) == fitted.transform(_column(terms)).shape[1]
    assert len(set(names)) == len(names), names


# Vocabulary files -----------------------------------------------------------------

GOOD_FILES = {
    "lf": (b"a\nb\n", {}, ["a", "b"]),
    "crlf": (b"a\r\nb\r\n", {}, ["a", "b"]),
    "crlf_no_final_newline": (b"a\r\nb", {}, ["a", "b"]),
    "bom": ("\ufeffa\nb\n".encode(), {}, ["a", "b"]),
    "bom_crlf": ("\ufeffa\r\nb\r\n".encode(), {}, ["a", "b"]),
    "lone_cr_in_term": (b"a\rb\nb\n", {}, ["a\rb", "b"]),
    "cr_cr_lf": (b"a\r\r\nb\n", {}, ["a\r", "b"]),
    "space_term": (b" \nb\n", {}, [" ", "b"]),
    "special_prefix": (b"[UNK]\na\nb\n", {}, ["a", "b"]),
    "utf16_bom": ("a\r\nb\n".encode("utf-16"), {"encoding": "utf-16"}, ["a", "b"]),
    "latin1": (b"\xe9\nb\n", {"encoding": "latin-1"}, ["é", "b"]),
}


@pytest.mark.parametrize("engine", ENGINES, ids=ENGINES)
@pytest.mark.parametrize("name", list(GOOD_FILES), ids=list(GOOD_FILES))
def test_vocabulary_file_line_ends_and_bom(tmp_path, engine, name):
    """One \\r per line end and a leading BOM are stripped; nothing else is."""
    data, params, terms = GOOD_FILES[name]
    path = _write(tmp_path, data)

    fitted = _fit(engine, X=_column(["b"]), vocabulary=path, **params)

    assert fitted.vocabularies_ == [terms]
    assert _ravel(fitted.transform(_column(terms + ["zz"]))) == [1, 2, 0]


@pytest.mark.parametrize(
    ("data", "line"),
    [
        (b"a\n\nb\n", 2),
        (b"\na\nb\n", 1),
        (b"a\nb\n\n", 3),
        (b"a\r\n\r\nb\r\n", 2),
        (b"\n", 1),
        ("\ufeff\na\n".encode(), 1),
    ],
    ids=["middle", "first", "extra_at_end", "crlf", "only_newline", "after_bom"],
)
def test_vocabulary_file_blank_line_raises_naming_it(tmp_path, data, line):
    """A blank line is an error that names the file and the line number."""
    path = _write(tmp_path, data)

    with pytest.raises(
        ValueError,
        match=re.escape(f"{str(path)!r} has an empty line at line {line}.")
        + " .*remove blank lines",
    ):
        _fit(X=_column(["a"]), vocabulary=path)


@pytest.mark.parametrize(
    ("data", "match"),
    [
        (b"", r"vocabulary must hold at least one term"),
        (b"a\n\xff\n", r"is not valid utf-8 .*Set the encoding parameter"),
        (b"a\nb\na\n", r"vocabulary must not repeat terms\. Repeated: \['a'\]"),
    ],
    ids=["empty", "not_utf8", "repeated"],
)
def test_bad_vocabulary_file_raises(tmp_path, data, match):
    """An empty, undecodable or repetitive file is refused at fit."""
    path = _write(tmp_path, data)

    with pytest.raises(ValueError, match=match):
        _fit(X=_column(["a"]), vocabulary=path)


@pytest.mark.parametrize("kind", ["missing", "directory"], ids=str)
def test_unreadable_vocabulary_file_raises(tmp_path, kind):
    """A path that is not a readable file says so and names it."""
    path = tmp_path / "nope.txt" if kind == "missing" else tmp_path

    with pytest.raises(
        ValueError, match=r"vocabulary must name a readable file\. Got .*instead \("
    ):
        _fit(X=_column(["a"]), vocabulary=str(path))


def test_vocabulary_file_with_tf_idf_raises(tmp_path):
    """A file holds no weights, so it cannot be a tf-idf vocabulary."""
    path = _write(tmp_path, b"a\n")

    with pytest.raises(ValueError, match=r"vocabulary must be a list, not a file"):
        _fit(X=_column(["a"]), vocabulary=path, output_mode="tf_idf", idf_weights=[1])


# Fitted attributes edited by hand -------------------------------------------------

EDITED_VOCABULARIES = {
    "repeated": (
        [["x", "x"], ["u", "v"]],
        r"vocabularies_\[0\] must not repeat terms\. Repeated: \['x'\]",
    ),
    "too_few": ([["x", "y"]], r"vocabularies_ must be a list of 2 term lists"),
    "too_many": ([["x"], ["u"], ["z"]], r"vocabularies_ must be a list of 2 term"),
    "tuple": ((["x"], ["u"]), r"vocabularies_ must be a list of 2 term lists"),
    "array_inside": ([np.array(["x"]), ["u"]], r"vocabularies_\[0\] must be a list"),
    "none_inside": ([["x", None], ["u"]], r"vocabularies_\[0\] must be a list of str"),
    "number_inside": ([["x"], ["u", 3]], r"vocabularies_\[1\] must be a list of str"),
    "empty": ([[], ["u"]], r"vocabularies_\[0\] must hold at least one term"),
    "oov_inside": ([["x", "[UNK]"], ["u"]], r"vocabularies_\[0\] holds the OOV token"),
}
METHODS = ["transform", "inverse_transform", "get_feature_names_out"]


def _call(fitted, method):
    if method == "transform":
        return fitted.transform(pd.DataFrame({"a": ["x"], "b": ["u"]}))
    if method == "inverse_transform":
        return fitted.inverse_transform(pd.DataFrame({"a": [1], "b": [1]}))
    return fitted.get_feature_names_out()


EDIT_CALLS = [
    ("arrow", "transform", False),
    ("arrow", "transform", True),
    ("keras", "transform", True),
    ("keras", "inverse_transform", True),
    ("arrow", "get_feature_names_out", False),
]


@pytest.mark.parametrize(
    ("engine", "method", "used"),
    EDIT_CALLS,
    ids=[f"{e}-{m}-{'used' if u else 'fresh'}" for e, m, u in EDIT_CALLS],
)
@pytest.mark.parametrize(
    "name", list(EDITED_VOCABULARIES), ids=list(EDITED_VOCABULARIES)
)
def test_reassigned_vocabularies_raise(name, engine, method, used):
    """A hand-made vocabularies_ that breaks the layout is refused, not used."""
    edited, match = EDITED_VOCABULARIES[name]
    fitted = _fit(engine)
    if used:
        _call(fitted, method)
    fitted.vocabularies_ = edited

    with pytest.raises(ValueError, match=match):
        _call(fitted, method)


@pytest.mark.parametrize(
    "name", list(EDITED_VOCABULARIES), ids=list(EDITED_VOCABULARIES)
)
def test_edited_vocabulary_errors_say_how_to_recover(name):
    """Every error about an edited vocabularies_ tells the user to refit."""
    edited, _ = EDITED_VOCABULARIES[name]
    fitted = _fit()
    fitted.vocabularies_ = edited

    with pytest.raises(ValueError, match=r"vocabularies_.*Refit the transformer"):
        _call(fitted, "transform")


@pytest.mark.parametrize("engine", ENGINES, ids=ENGINES)
@pytest.mark.parametrize(
    ("edit", "match"),
    [
        ("delete", r"needs idf_weights_, which .*Refit the transformer"),
        ("none", r"needs idf_weights_, which .*Refit the transformer"),
        ("short", r"idf_weights_\[0\] must hold 3 weights \(1 OOV \+ 2 terms\)"),
        ("long", r"idf_weights_\[1\] must hold 3 weights \(1 OOV \+ 2 terms\)"),
        ("one_block", r"idf_weights_\[0\] must hold 3 weights"),
        ("nan", r"idf_weights_\[0\] must hold finite"),
    ],
    ids=["delete", "none", "short", "long", "one_block", "nan"],
)
def test_edited_idf_weights_raise(engine, edit, match):
    """Removed or resized idf_weights_ give an error naming the attribute."""
    fitted = _fit(engine, output_mode="tf_idf")
    fitted.transform(pd.DataFrame({"a": ["x"], "b": ["u"]}))
    if edit == "delete":
        del fitted.idf_weights_
    elif edit == "none":
        fitted.idf_weights_ = None
    elif edit == "short":
        fitted.idf_weights_ = [np.ones(2, np.float32), np.ones(3, np.float32)]
    elif edit == "long":
        fitted.idf_weights_ = [np.ones(3, np.float32), np.ones(4, np.float32)]
    elif edit == "one_block":
        fitted.idf_weights_ = fitted.idf_weights_[:1]
    else:
        fitted.idf_weights_ = [
            np.array([np.nan, 1, 1], np.float32),
            np.ones(3, np.float32),
        ]

    with pytest.raises(ValueError, match=match):
        fitted.transform(pd.DataFrame({"a": ["x"], "b": ["u"]}))


@pytest.mark.parametrize("method", METHODS, ids=METHODS)
def test_removed_vocabularies_say_not_fitted(method):
    """Deleting vocabularies_ leaves a transformer that says it is not fitted."""
    fitted = _fit()
    del fitted.vocabularies_

    with pytest.raises(NotFittedError, match=r"not fitted yet\. Call 'fit'"):
        _call(fitted, method)


@pytest.mark.parametrize("engine", ENGINES, ids=ENGINES)
@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        ("reverse", [[2, 2], [1, 1]]),
        ("rename", [[0, 2], [2, 1]]),
        ("repeat", ValueError),
    ],
    ids=["reverse", "rename", "repeat"],
)
def test_vocabulary_edited_in_place_is_not_ignored(engine, edit, expected):
    """An in-place edit of a used transformer's vocabulary takes effect."""
    fitted = _fit(engine)
    X = pd.DataFrame({"a": ["x", "y"], "b": ["u", "v"]})
    assert fitted.transform(X).tolist() == [[1, 2], [2, 1]]
    terms = fitted.vocabularies_[0]
    if edit == "reverse":
        terms.reverse()
    elif edit == "rename":
        terms[0] = "w"
    else:
        terms[1] = "x"

    if expected is ValueError:
        with pytest.raises(ValueError, match=r"vocabularies_\[0\] must not repeat"):
            fitted.transform(X)
    else:
        assert fitted.transform(X).tolist() == expected
