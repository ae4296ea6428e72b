"""Regression cases R1-R18 of CASES.md (R17 is in test_sklearn_compat.py).

Each test asserts the right value the case gives, for every engine, and for
neighbours of the literal input: other containers, columns and output modes.
"""

import json
import math
import os
import re

import farmhash
import joblib
import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from copies import COPIES, joblibbed
from sklearn.pipeline import make_pipeline

from skstringlookup import StringLookupTransformer


def _frame(cells, name="c"):
    return pd.DataFrame({name: pd.Series(cells, dtype=object)})


def _dense(out):
    return out.toarray() if sp.issparse(out) else out


ROUND_TRIPS = {k: v for k, v in COPIES.items() if k != "cloudpickle"}


def _polars_frame(cells, name="c"):
    pl = pytest.importorskip("polars")
    return pl.DataFrame({name: cells})


# One column of text in each container the transformer reads. Every builder
# takes a list of str (None for a missing cell) and gives a 2-D input.
TEXT_CONTAINERS = {
    "object": _frame,
    "str-dtype": lambda cells: pd.DataFrame({"c": pd.Series(cells, dtype="str")}),
    "string-dtype": lambda cells: pd.DataFrame({"c": pd.Series(cells, dtype="string")}),
    "category": lambda cells: pd.DataFrame({"c": pd.Series(cells, dtype="category")}),
    "bytes": lambda cells: _frame([None if c is None else c.encode() for c in cells]),
    "numpy-object": lambda cells: np.array(cells, dtype=object).reshape(-1, 1),
    "list": lambda cells: [[c] for c in cells],
    "polars": _polars_frame,
}


def _farmhash_bucket(term, k):
    return farmhash.fingerprint64(term.encode("utf-8")) % k


# R1 ---------------------------------------------------------------------------

PETS = ["cat", "dog", "bird", "cat", "fish", "dog"]
PET_DATA = {
    "one column": pd.DataFrame({"pet": PETS}),
    "two columns": pd.DataFrame({"pet": PETS, "size": list("SSLMSL")}),
}
PET_VOCABULARIES = {
    "one column": [["dog", "cat", "fish", "bird"]],
    "two columns": [["dog", "cat", "fish", "bird"], ["S", "L", "M"]],
}
PET_QUERIES = {
    "one column": (pd.DataFrame({"pet": ["cat", "dog", "bird"]}), [[2], [1], [4]]),
    "two columns": (
        pd.DataFrame({"pet": ["cat", "dog", "bird"], "size": ["M", "XL", "S"]}),
        [[2, 3], [1, 0], [4, 1]],
    ),
}


@pytest.mark.parametrize("data", list(PET_DATA), ids=list(PET_DATA))
@pytest.mark.parametrize("in_pipeline", [False, True], ids=["alone", "pipeline"])
@pytest.mark.parametrize(
    "round_trip", list(ROUND_TRIPS.values()), ids=list(ROUND_TRIPS)
)
def test_r1_pet_lookups_survive_round_trips(engine, data, in_pipeline, round_trip):
    """R1: the pet vocabulary and its lookups survive pickle, joblib, deepcopy."""
    lookup = StringLookupTransformer(engine=engine).fit(PET_DATA[data])
    model = make_pipeline(lookup) if in_pipeline else lookup
    query, expected = PET_QUERIES[data]
    before = model.transform(query)

    restored = round_trip(model)
    again = round_trip(restored)

    assert lookup.vocabularies_ == PET_VOCABULARIES[data]
    np.testing.assert_array_equal(before, expected)
    for model_after in (restored, again):
        after = model_after.transform(query)
        assert after.dtype == np.int64
        np.testing.assert_array_equal(after, expected)
    restored_lookup = restored[0] if in_pipeline else restored
    assert restored_lookup.vocabularies_ == PET_VOCABULARIES[data]


@pytest.mark.parametrize(
    "round_trip", list(ROUND_TRIPS.values()), ids=list(ROUND_TRIPS)
)
def test_r1_round_trip_before_any_transform(engine, round_trip):
    """R1: a transformer saved before its first transform looks up the same."""
    lookup = StringLookupTransformer(engine=engine).fit(pd.DataFrame({"pet": PETS}))

    restored = round_trip(lookup)

    query = pd.DataFrame({"pet": ["cat", "dog", "bird"]})
    np.testing.assert_array_equal(restored.transform(query), [[2], [1], [4]])
    np.testing.assert_array_equal(lookup.transform(query), [[2], [1], [4]])


@pytest.mark.slow
def test_r1_pet_lookups_in_a_fresh_process(tmp_path, run_python):
    """R1: joblib files of both engines give [2, 1, 4] in a fresh process."""
    models = {}
    for engine in ("keras", "arrow"):
        lookup = StringLookupTransformer(engine=engine).fit(pd.DataFrame({"pet": PETS}))
        lookup.transform(pd.DataFrame({"pet": ["cat"]}))
        models[engine] = lookup
        models[f"{engine} pipeline"] = make_pipeline(lookup)
    path = tmp_path / "pets.joblib"
    joblib.dump(models, path)

    code = f"""
import json, sys
import joblib, pandas as pd
models = joblib.load({str(path)!r})
query = pd.DataFrame({{"pet": ["cat", "dog", "bird"]}})
out = {{name: model.transform(query).tolist() for name, model in models.items()}}
import tensorflow as tf
out["keras"] = [out["keras"], tf.keras.__name__.split(".")[0]]
print(json.dumps(out))
"""
    result = json.loads(run_python(code).splitlines()[-1])

    keras_name = "tf_keras" if os.environ.get("TF_USE_LEGACY_KERAS") == "1" else "keras"
    assert result == {
        "keras": [[[2], [1], [4]], keras_name],
        "keras pipeline": [[2], [1], [4]],
        "arrow": [[2], [1], [4]],
        "arrow pipeline": [[2], [1], [4]],
    }


# R2 ---------------------------------------------------------------------------

TIE_CASES = {
    "literal": (["b", "B", "a", "A", "_", "1"], ["b", "a", "_", "B", "A", "1"]),
    "literal reversed": (
        ["1", "_", "A", "a", "B", "b"],
        ["b", "a", "_", "B", "A", "1"],
    ),
    "counts first": (["a", "a", "b", "c", "c"], ["c", "a", "b"]),
    "prefixes and case": (
        ["", "B", "Z", "a", "a ", "aa", "b", "c", "e", "é"],
        ["é", "e", "c", "b", "aa", "a ", "a", "Z", "B", ""],
    ),
    "beyond the BMP": (
        ["\ue000", "\U00010000", "\uff61"],
        ["\U00010000", "\uff61", "\ue000"],
    ),
}


@pytest.mark.parametrize(
    ("cells", "expected"), list(TIE_CASES.values()), ids=list(TIE_CASES)
)
def test_r2_ties_break_by_utf8_bytes_descending(engine, cells, expected):
    """R2: equal counts are ordered by UTF-8 bytes, descending."""
    lookup = StringLookupTransformer(engine=engine).fit(_frame(cells))

    assert lookup.vocabularies_ == [expected]
    out = lookup.transform(_frame(expected)).ravel()
    np.testing.assert_array_equal(out, np.arange(1, len(expected) + 1))


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"shared_vocabulary": True}, ["b", "a", "_", "B", "A", "1"]),
        ({"max_tokens": 3}, ["b", "a"]),
        ({"output_mode": "tf_idf"}, ["b", "a", "_", "B", "A", "1"]),
        ({"mask_token": "A"}, ["b", "a", "_", "B", "1"]),
    ],
    ids=["shared over two columns", "max_tokens", "tf_idf", "mask dropped"],
)
def test_r2_tie_order_holds_in_other_settings(engine, params, expected):
    """R2: shared vocabularies, max_tokens and tf_idf keep the same tie order."""
    X = pd.DataFrame({"x": ["b", "B", "a"], "y": ["A", "_", "1"]})
    if not params.get("shared_vocabulary"):
        X = _frame(X.to_numpy().ravel().tolist())

    lookup = StringLookupTransformer(engine=engine, **params).fit(X)

    assert lookup.vocabularies_ == [expected]


def test_r2_count_not_document_frequency_orders_tf_idf():
    """R2: tf_idf ranks by term count; a term twice in one row counts twice."""
    X = pd.DataFrame({"x": ["a", "a", "b"], "y": ["a", "b", "c"]})

    lookup = StringLookupTransformer(
        output_mode="tf_idf", shared_vocabulary=True, engine="arrow"
    ).fit(X)

    assert lookup.vocabularies_ == [["a", "b", "c"]]
    ln2, ln25 = math.log(2), math.log(2.5)
    expected = [(2 * ln2 + ln25) / 3, ln2, ln2, ln25]
    np.testing.assert_allclose(lookup.idf_weights_[0], expected, rtol=1e-6)


# R3 ---------------------------------------------------------------------------

NUL_PAIRS = {
    "trailing": ("ab\x00", "ab"),
    "leading": ("\x00ab", "ab"),
    "inner": ("a\x00b", "ab"),
    "two trailing": ("ab\x00\x00", "ab\x00"),
}


@pytest.mark.parametrize("container", list(TEXT_CONTAINERS), ids=list(TEXT_CONTAINERS))
@pytest.mark.parametrize("pair", list(NUL_PAIRS.values()), ids=list(NUL_PAIRS))
def test_r3_nul_terms_stay_distinct(engine, container, pair):
    """R3: a NUL character makes a distinct term, in every container."""
    nul_term, other = pair
    make = TEXT_CONTAINERS[container]
    if (
        container == "category"
        and len(pd.Categorical([nul_term, other]).categories) < 2
    ):
        pytest.xfail("this pandas merges categories that differ only by NULs")

    lookup = StringLookupTransformer(engine=engine).fit(make([nul_term, other, other]))

    assert lookup.vocabularies_ == [[other, nul_term]]
    query = make([nul_term, other] * 20)
    np.testing.assert_array_equal(lookup.transform(query).ravel(), [2, 1] * 20)
    restored = joblibbed(lookup)
    assert restored.vocabularies_ == [[other, nul_term]]
    np.testing.assert_array_equal(
        restored.transform(make([nul_term, other])), [[2], [1]]
    )


def test_r3_literal_case_after_joblib(engine):
    """R3: the literal case, and its inverse, before and after joblib."""
    lookup = StringLookupTransformer(engine=engine).fit(_frame(["ab\x00", "ab", "ab"]))
    restored = joblibbed(lookup)

    for model in (lookup, restored):
        assert model.vocabularies_ == [["ab", "ab\x00"]]
        np.testing.assert_array_equal(
            model.transform(_frame(["ab\x00", "ab"])), [[2], [1]]
        )
        terms = model.inverse_transform(_frame([2, 1])).ravel().tolist()
        assert terms == ["ab\x00", "ab"]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, [[2], [1], [0]]),
        ({"output_mode": "one_hot"}, [[0, 0, 1], [0, 1, 0], [1, 0, 0]]),
        ({"output_mode": "count", "sparse": True}, [[0, 0, 1], [0, 1, 0], [1, 0, 0]]),
    ],
    ids=["int", "one_hot", "sparse count"],
)
def test_r3_given_vocabulary_keeps_nul_terms(engine, params, expected):
    """R3: a given vocabulary keeps "ab" and "ab\\x00" apart in every mode."""
    lookup = StringLookupTransformer(
        engine=engine, vocabulary=["ab", "ab\x00"], **params
    ).fit(_frame(["ab"]))

    out = lookup.transform(_frame(["ab\x00", "ab", "ab\x00\x00"]))

    assert lookup.vocabularies_ == [["ab", "ab\x00"]]
    np.testing.assert_array_equal(_dense(out), expected)


# R4 ---------------------------------------------------------------------------

# Every character that splits a line for str.splitlines (Keras' reader) or for
# TensorFlow's file reader.
LINE_BREAKS = {
    "LF": "\n",
    "CR": "\r",
    "CRLF": "\r\n",
    "VT": "\x0b",
    "FF": "\x0c",
    "FS": "\x1c",
    "GS": "\x1d",
    "RS": "\x1e",
    "NEL": "\x85",
    "LS": "\u2028",
    "PS": "\u2029",
}
R4_CELLS = ["a\rb", "c\u2028d", "e\x85f", "", "", "a\rb"]
R4_VOCABULARY = ["a\rb", "", "e\x85f", "c\u2028d"]


def test_r4_line_break_terms_are_kept_exactly(engine):
    """R4: terms with line breaks, and "", are learned and kept exactly."""
    lookup = StringLookupTransformer(engine=engine).fit(_frame(R4_CELLS))
    restored = joblibbed(lookup)

    query = _frame(["a\rb", "c\u2028d", "e\x85f", "", "a", "b"])
    for model in (lookup, restored):
        assert model.vocabularies_ == [R4_VOCABULARY]
        np.testing.assert_array_equal(
            model.transform(query).ravel(), [1, 4, 3, 2, 0, 0]
        )
        terms = model.inverse_transform(_frame([1, 2, 3, 4])).ravel().tolist()
        assert terms == R4_VOCABULARY


@pytest.mark.parametrize("brk", list(LINE_BREAKS.values()), ids=list(LINE_BREAKS))
@pytest.mark.parametrize("given", [False, True], ids=["learned", "given"])
def test_r4_every_line_break_survives(engine, brk, given):
    """R4: inner, trailing and lone line breaks keep their terms apart."""
    terms = [f"a{brk}b", f"ab{brk}", brk, "ab"]
    params = {"vocabulary": terms} if given else {}
    cells = [t for i, t in enumerate(terms) for _ in range(4 - i)]

    lookup = StringLookupTransformer(engine=engine, **params).fit(_frame(cells))
    restored = joblibbed(lookup)

    query = _frame([*terms, "a", "b"] * 7)
    for model in (lookup, restored):
        assert model.vocabularies_ == [terms]
        np.testing.assert_array_equal(
            model.transform(query[:6]).ravel(), [1, 2, 3, 4, 0, 0]
        )
        np.testing.assert_array_equal(
            model.transform(query).ravel(), [1, 2, 3, 4, 0, 0] * 7
        )


@pytest.mark.parametrize(
    "bad_term",
    [f"a{brk}b" for brk in LINE_BREAKS.values()] + ["ab\r", ""],
    ids=[*LINE_BREAKS, "trailing CR", "empty"],
)
def test_r4_save_vocabulary_refuses_terms_a_line_cannot_hold(tmp_path, bad_term):
    """R4: save_vocabulary names a term that one line cannot hold; no file."""
    lookup = StringLookupTransformer(
        engine="arrow", vocabulary=["ok", bad_term, "fine"]
    ).fit(_frame(["ok"]))
    path = tmp_path / "vocabulary.txt"

    with pytest.raises(ValueError, match=re.escape(repr(bad_term))):
        lookup.save_vocabulary(path, column="c")

    assert not path.exists()


def test_r4_save_vocabulary_refuses_a_leading_byte_order_mark(tmp_path):
    """R4: a first term starting with U+FEFF, which a reader strips, is refused."""
    lookup = StringLookupTransformer(
        engine="arrow", vocabulary=["\ufeffok", "fine"]
    ).fit(_frame(["ok"]))
    path = tmp_path / "vocabulary.txt"

    with pytest.raises(ValueError, match=re.escape(repr("\ufeffok"))):
        lookup.save_vocabulary(path, column="c")

    assert not path.exists()


def test_r4_save_vocabulary_refuses_the_case_vocabulary(tmp_path):
    """R4: writing the case's learned vocabulary fails, naming "a\\rb"."""
    lookup = StringLookupTransformer(engine="arrow").fit(_frame(R4_CELLS))
    path = tmp_path / "vocabulary.txt"

    with pytest.raises(ValueError, match=re.escape(repr("a\rb"))):
        lookup.save_vocabulary(path, column="c")

    assert not path.exists()
    assert lookup.vocabularies_ == [R4_VOCABULARY]


def test_r4_save_vocabulary_round_trips_writable_terms(tmp_path):
    """R4: a vocabulary of writable terms reads back exactly, per column."""
    terms = ["dog", "ab\x00", "e\u0301", "tab\there", " padded "]
    lookup = StringLookupTransformer(
        engine="arrow", vocabulary={"x": ["x1"], "c": terms}
    ).fit(pd.DataFrame({"x": ["x1"], "c": ["dog"]}))
    path = tmp_path / "vocabulary.txt"

    lookup.save_vocabulary(path, column="c")

    reread = StringLookupTransformer(engine="arrow", vocabulary=path)
    assert reread.fit(_frame(["dog"])).vocabularies_ == [terms]


# R5 ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, [["x", "y"], ["u", "v"]]),
        ({"output_mode": "one_hot"}, [["x", "y"], ["u", "v"]]),
        ({"output_mode": "tf_idf"}, [["x", "y"], ["u", "v"]]),
        ({"shared_vocabulary": True}, [["x", "u", "y", "v"]]),
    ],
    ids=["int", "one_hot", "tf_idf", "shared"],
)
@pytest.mark.parametrize("frame", ["pandas", "polars"])
def test_r5_frames_learn_values_not_column_names(engine, params, expected, frame):
    """R5: a DataFrame gives the vocabulary of its values, never its names."""
    data = {"c": ["x", "y", "x"], "d": ["u", "v", "u"]}
    if frame == "polars":
        X = pytest.importorskip("polars").DataFrame(data)
    else:
        X = pd.DataFrame(data)

    lookup = StringLookupTransformer(engine=engine, **params).fit(X)

    assert lookup.vocabularies_ == expected


def test_r5_literal_case(engine):
    """R5: fitting on DataFrame({"c": ["x", "y", "x"]}) learns ["x", "y"]."""
    lookup = StringLookupTransformer(engine=engine)

    lookup.fit(pd.DataFrame({"c": ["x", "y", "x"]}))

    assert lookup.vocabularies_ == [["x", "y"]]
    np.testing.assert_array_equal(
        lookup.transform(pd.DataFrame({"c": ["y", "c"]})), [[2], [0]]
    )


# R6 ---------------------------------------------------------------------------

ONE_ROW_INPUTS = {
    "pandas": lambda text: pd.DataFrame({"c": [text]}),
    "pandas str dtype": lambda text: pd.DataFrame(
        {"c": pd.Series([text], dtype="str")}
    ),
    "list": lambda text: [[text]],
    "numpy object": lambda text: np.array([[text]], dtype=object),
    "numpy unicode": lambda text: np.array([[text]]),
    "polars": lambda text: _polars_frame([text]),
}


@pytest.mark.parametrize(
    "make", list(ONE_ROW_INPUTS.values()), ids=list(ONE_ROW_INPUTS)
)
@pytest.mark.parametrize("text", ["abc", "héllo wörld"], ids=["ascii", "unicode"])
def test_r6_one_cell_is_one_term(engine, make, text):
    """R6: a one-row input whose cell is a string learns that whole string."""
    lookup = StringLookupTransformer(engine=engine).fit(make(text))

    assert lookup.vocabularies_ == [[text]]
    np.testing.assert_array_equal(lookup.transform(make(text)), [[1]])
    np.testing.assert_array_equal(lookup.transform(make(text[0])), [[0]])


@pytest.mark.parametrize(
    ("X", "message"),
    [
        (pd.Series(["abc", "d"]), "Expected a 2-dimensional container"),
        (["abc", "d"], "Expected 2D array, got 1D array"),
        ("abc", "Expected 2D array, got scalar array"),
    ],
    ids=["series", "list", "str"],
)
@pytest.mark.parametrize("method", ["fit", "transform"])
def test_r6_one_dimensional_input_is_refused(engine, X, message, method):
    """R6: a 1-D input or a bare str raises scikit-learn's shape error."""
    lookup = StringLookupTransformer(engine=engine)
    if method == "transform":
        lookup.fit(pd.DataFrame({"c": ["abc"]}))

    with pytest.raises(ValueError, match=message):
        getattr(lookup, method)(X)


# R7 ---------------------------------------------------------------------------

NUMBER_CASES = {
    "int64": (np.array([101, 102, 101]), np.array([102, 999]), ["101", "102"], [2, 0]),
    "int32": (
        np.array([101, 102, 101], dtype=np.int32),
        np.array([102, 999], dtype=np.int32),
        ["101", "102"],
        [2, 0],
    ),
    "uint8": (
        np.array([7, 8, 7], dtype=np.uint8),
        np.array([8, 9]),
        ["7", "8"],
        [2, 0],
    ),
    "negative": (np.array([-1, 5, -1]), np.array([5, 1]), ["-1", "5"], [2, 0]),
    "uint64 max": (
        np.array([2**64 - 1, 1, 2**64 - 1], dtype=np.uint64),
        np.array([1, 2], dtype=np.uint64),
        ["18446744073709551615", "1"],
        [2, 0],
    ),
    "Int64": (
        pd.array([101, 102, 101], dtype="Int64"),
        pd.array([102, None], dtype="Int64"),
        ["101", "102"],
        [2, 0],
    ),
    "object ints": (
        pd.Series([101, 102, 101], dtype=object),
        pd.Series([102, 999], dtype=object),
        ["101", "102"],
        [2, 0],
    ),
    "float64": (
        np.array([1.5, 2.0, 1.5]),
        np.array([2.0, 2.5]),
        ["1.5", "2.0"],
        [2, 0],
    ),
    "float32": (
        np.array([0.1, 0.2, 0.1], dtype=np.float32),
        np.array([0.2, 0.3], dtype=np.float32),
        ["0.1", "0.2"],
        [2, 0],
    ),
    "bool": (
        np.array([True, False, True]),
        np.array([False, True]),
        ["True", "False"],
        [2, 1],
    ),
    "int then text": (
        np.array([101, 102, 101]),
        pd.Series(["102", "101.0"], dtype=object),
        ["101", "102"],
        [2, 0],
    ),
}


@pytest.mark.parametrize(
    ("fit_values", "query", "expected_vocabulary", "expected"),
    list(NUMBER_CASES.values()),
    ids=list(NUMBER_CASES),
)
def test_r7_numbers_are_looked_up_by_their_text(
    engine, fit_values, query, expected_vocabulary, expected
):
    """R7: numeric columns learn and look up the str() text of each number."""
    lookup = StringLookupTransformer(engine=engine)

    lookup.fit(pd.DataFrame({"c": fit_values}))
    out = lookup.transform(pd.DataFrame({"c": query}))

    assert lookup.vocabularies_ == [expected_vocabulary]
    assert out.ravel().tolist() == expected


@pytest.mark.parametrize(
    "make",
    [
        lambda v: np.array(v).reshape(-1, 1),
        lambda v: [[x] for x in v],
        lambda v: _polars_frame(v),
    ],
    ids=["numpy", "list", "polars"],
)
def test_r7_numbers_in_other_containers(engine, make):
    """R7: numbers in arrays, lists and polars frames are looked up as text."""
    lookup = StringLookupTransformer(engine=engine).fit(make([101, 102, 101]))

    assert lookup.vocabularies_ == [["101", "102"]]
    assert lookup.transform(make([102, 999])).ravel().tolist() == [2, 0]


# R8 ---------------------------------------------------------------------------

MISSING_CONTAINERS = {
    "object None": lambda cells: _frame(cells),
    "object NaN": lambda cells: _frame([math.nan if c is None else c for c in cells]),
    "object pd.NA": lambda cells: _frame([pd.NA if c is None else c for c in cells]),
    "object NaT": lambda cells: _frame([pd.NaT if c is None else c for c in cells]),
    "string pd.NA": lambda cells: pd.DataFrame(
        {"c": pd.Series([pd.NA if c is None else c for c in cells], dtype="string")}
    ),
    "string[pyarrow]": lambda cells: pd.DataFrame(
        {"c": pd.Series(cells, dtype="string[pyarrow]")}
    ),
    "default str": lambda cells: pd.DataFrame({"c": pd.Series(cells, dtype="str")}),
    "str NaN": lambda cells: pd.DataFrame(
        {"c": pd.Series([math.nan if c is None else c for c in cells], dtype="str")}
    ),
    "category": TEXT_CONTAINERS["category"],
    "numpy object": TEXT_CONTAINERS["numpy-object"],
    "list": TEXT_CONTAINERS["list"],
    "polars": _polars_frame,
}


@pytest.mark.parametrize(
    "make", list(MISSING_CONTAINERS.values()), ids=list(MISSING_CONTAINERS)
)
def test_r8_missing_cells_are_never_learned(engine, make):
    """R8: None, NaN, pd.NA and NaT are not terms, in every container."""
    lookup = StringLookupTransformer(engine=engine).fit(make(["a", None, "b", "a"]))

    small = lookup.transform(make(["a", None, "b", "zz"]))
    large = lookup.transform(make(["a", None, "b", "zz"] * 10))

    assert lookup.vocabularies_ == [["a", "b"]]
    assert small.ravel().tolist() == [1, 0, 2, 0]
    assert large.ravel().tolist() == [1, 0, 2, 0] * 10


@pytest.mark.parametrize(
    ("fit_values", "query", "expected_vocabulary"),
    [
        (
            pd.array([1, None, 2, 1], dtype="Int64"),
            pd.array([1, None, 2, 3], dtype="Int64"),
            ["1", "2"],
        ),
        (
            np.array([1.5, np.nan, 2.5, 1.5]),
            np.array([1.5, np.nan, 2.5, 3.5]),
            ["1.5", "2.5"],
        ),
        (
            pd.array([True, None, False, True], dtype="boolean"),
            pd.array([True, None, False, None], dtype="boolean"),
            ["True", "False"],
        ),
    ],
    ids=["Int64", "float NaN", "boolean"],
)
def test_r8_missing_numbers_are_never_learned(
    engine, fit_values, query, expected_vocabulary
):
    """R8: missing cells of numeric columns are not learned as "nan"."""
    lookup = StringLookupTransformer(engine=engine)

    lookup.fit(pd.DataFrame({"c": fit_values}))
    out = lookup.transform(pd.DataFrame({"c": query}))

    assert lookup.vocabularies_ == [expected_vocabulary]
    assert out.ravel().tolist() == [1, 0, 2, 0]


def test_r8_literal_case(engine):
    """R8: the pd.NA string column learns ["a", "b"] without a TypeError."""
    X = pd.DataFrame({"c": pd.Series(["a", pd.NA, "b", "a"], dtype="string")})

    lookup = StringLookupTransformer(engine=engine).fit(X)

    assert lookup.vocabularies_ == [["a", "b"]]
    np.testing.assert_array_equal(lookup.transform(X), [[1], [0], [2], [1]])


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, [[1], [0], [0]]),
        ({"mask_token": ""}, [[2], [1], [1]]),
        ({"mask_token": "", "handle_missing": "mask"}, [[2], [0], [1]]),
        ({"num_oov_indices": 3}, [[3], [0], None]),
        ({"output_mode": "one_hot"}, [[0, 1, 0], [1, 0, 0], [1, 0, 0]]),
        (
            {"output_mode": "one_hot", "mask_token": "", "handle_missing": "mask"},
            [[0, 1, 0], [0, 0, 0], [1, 0, 0]],
        ),
        ({"output_mode": "count", "sparse": True}, [[0, 1, 0], [1, 0, 0], [1, 0, 0]]),
        (
            {"output_mode": "multi_hot", "shared_vocabulary": True},
            [[0, 1, 0], [1, 0, 0], [1, 0, 0]],
        ),
    ],
    ids=[
        "oov",
        "oov after mask",
        "mask",
        "first of three oov",
        "one_hot oov",
        "one_hot mask",
        "sparse count oov",
        "shared multi_hot",
    ],
)
@pytest.mark.parametrize(
    "container", ["object None", "string pd.NA", "default str"], ids=str
)
@pytest.mark.parametrize("repeat", [1, 12], ids=["small batch", "large batch"])
def test_r8_handle_missing_decides_the_index(
    engine, params, expected, container, repeat
):
    """R8: missing cells go to the first OOV index, or to the mask, as asked."""
    make = MISSING_CONTAINERS[container]
    lookup = StringLookupTransformer(engine=engine, **params)
    lookup.fit(make(["a", None, "b", "a"]))

    out = _dense(lookup.transform(make(["a", None, "zz"] * repeat)))

    assert lookup.vocabularies_ == [["a", "b"]]
    if expected[2] is None:
        expected = [*expected[:2], [_farmhash_bucket("zz", 3)]]
    np.testing.assert_array_equal(out, expected * repeat)


@pytest.mark.parametrize(
    "make", list(MISSING_CONTAINERS.values()), ids=list(MISSING_CONTAINERS)
)
def test_r8_handle_missing_error_names_the_column(engine, make):
    """R8: handle_missing="error" refuses missing cells at fit and transform."""
    lookup = StringLookupTransformer(engine=engine, handle_missing="error")

    with pytest.raises(ValueError, match=r"column ('c'|0) has 1 missing cells"):
        lookup.fit(make(["a", None, "b"]))
    lookup.fit(make(["a", "b"]))
    with pytest.raises(ValueError, match=r"column ('c'|0) has 2 missing cells"):
        lookup.transform(make([None, "a", None]))


@pytest.mark.parametrize("repeat", [1, 20], ids=["small batch", "large batch"])
@pytest.mark.parametrize("params", [{}, {"output_mode": "count"}], ids=["int", "count"])
def test_r8_no_oov_index_for_missing_cells(engine, repeat, params):
    """R8: with num_oov_indices=0 a missing cell raises, naming the column."""
    lookup = StringLookupTransformer(engine=engine, num_oov_indices=0, **params)
    lookup.fit(_frame(["a", "b"], name="pet"))

    with pytest.raises(ValueError, match=f"column 'pet' has {repeat} missing cells"):
        lookup.transform(_frame(["a", None] * repeat, name="pet"))


@pytest.mark.parametrize(
    "dtype", [object, "str", "string"], ids=["object", "str", "string"]
)
def test_r8_text_that_spells_missing_is_a_term(engine, dtype):
    """R8: the strings "nan", "None", "NA", "<NA>" and "" are ordinary terms."""
    cells = ["nan", "None", "NA", "<NA>", "", None]
    X = pd.DataFrame({"c": pd.Series(cells, dtype=dtype)})

    lookup = StringLookupTransformer(engine=engine).fit(X)

    assert lookup.vocabularies_ == [["nan", "None", "NA", "<NA>", ""]]
    assert lookup.transform(X).ravel().tolist() == [1, 2, 3, 4, 5, 0]


# R9 ---------------------------------------------------------------------------

OOV_TERMS = ["zz", "", "ab\x00", "é", "e\u0301", "\U0001f642", "[UNK]", "a "]


def _expected_int_index(term, vocabulary, k, mask_token):
    shift = 0 if mask_token is None else 1
    if term == mask_token:
        return 0
    if term in vocabulary:
        return shift + k + vocabulary.index(term)
    return shift + _farmhash_bucket(term, k)


def test_r9_literal_case(engine):
    """R9: three OOV buckets give [1, 3]; with the mask [2, 4, 0]."""
    plain = StringLookupTransformer(
        engine=engine, vocabulary=["a", "b"], num_oov_indices=3
    ).fit(_frame(["a"]))
    masked = StringLookupTransformer(
        engine=engine, vocabulary=["a", "b"], num_oov_indices=3, mask_token=""
    ).fit(_frame(["a"]))

    assert plain.transform(_frame(["zz", "a"])).ravel().tolist() == [1, 3]
    assert masked.transform(_frame(["zz", "a", ""])).ravel().tolist() == [2, 4, 0]


@pytest.mark.parametrize("k", [2, 3, 5], ids=["k2", "k3", "k5"])
@pytest.mark.parametrize("mask_token", [None, ""], ids=["no mask", "mask"])
@pytest.mark.parametrize("repeat", [1, 9], ids=["small batch", "large batch"])
def test_r9_oov_buckets_follow_fingerprint64(engine, k, mask_token, repeat):
    """R9: an OOV term's bucket is Fingerprint64(UTF-8) mod k, after the mask."""
    vocabulary = ["a", "b"]
    lookup = StringLookupTransformer(
        engine=engine, vocabulary=vocabulary, num_oov_indices=k, mask_token=mask_token
    ).fit(_frame(["a"]))
    cells = [*OOV_TERMS, "a", "b"] * repeat

    out = lookup.transform(_frame(cells)).ravel().tolist()

    assert out == [_expected_int_index(t, vocabulary, k, mask_token) for t in cells]


@pytest.mark.parametrize("mode", ["one_hot", "count", "multi_hot"])
@pytest.mark.parametrize("mask_token", [None, ""], ids=["no mask", "mask"])
def test_r9_oov_buckets_in_encoded_modes(engine, mode, mask_token):
    """R9: encoded modes put an OOV term in column Fingerprint64 mod k."""
    terms = ["zz", "\U0001f642", "a", ""]
    lookup = StringLookupTransformer(
        engine=engine,
        vocabulary=["a", "b"],
        num_oov_indices=3,
        mask_token=mask_token,
        output_mode=mode,
    ).fit(_frame(["a"]))

    out = lookup.transform(_frame(terms))

    expected = np.zeros((4, 5), dtype=np.int64)
    for row, term in enumerate(terms):
        if term == mask_token:
            continue
        column = 3 if term == "a" else _farmhash_bucket(term, 3)
        expected[row, column] = 1
    np.testing.assert_array_equal(out, expected)


def test_r9_oov_buckets_with_a_large_vocabulary(engine):
    """R9: a vocabulary over 65,536 terms hashes OOV terms the same way."""
    vocabulary = [f"t{i}" for i in range(70_000)]
    lookup = StringLookupTransformer(
        engine=engine, vocabulary=vocabulary, num_oov_indices=3, mask_token=""
    ).fit(_frame(["t0"]))
    terms = [*OOV_TERMS, "t0", "t69999"]

    out = lookup.transform(_frame([*terms, None] * 3)).ravel().tolist()

    expected = [_expected_int_index(t, vocabulary, 3, "") for t in terms]
    assert out == [*expected, 1] * 3


# R10 --------------------------------------------------------------------------

TOO_SMALL_MAX_TOKENS = {
    "2 with 3 oov": ({"max_tokens": 2, "num_oov_indices": 3}, 3),
    "3 with 3 oov": ({"max_tokens": 3, "num_oov_indices": 3}, 3),
    "1 with 1 oov": ({"max_tokens": 1}, 1),
    "0 with 0 oov": ({"max_tokens": 0, "num_oov_indices": 0}, 0),
    "-1": ({"max_tokens": -1}, 1),
    "4 with 3 oov and a mask": (
        {"max_tokens": 4, "num_oov_indices": 3, "mask_token": ""},
        4,
    ),
    "3 with 3 oov in one_hot": (
        {"max_tokens": 3, "num_oov_indices": 3, "output_mode": "one_hot"},
        3,
    ),
    "3 with 3 oov and a mask in count": (
        {
            "max_tokens": 3,
            "num_oov_indices": 3,
            "mask_token": "",
            "output_mode": "count",
        },
        3,
    ),
    "2 with 3 oov, inverted": (
        {"max_tokens": 2, "num_oov_indices": 3, "invert": True},
        3,
    ),
    "3 with 3 oov, given vocabulary": (
        {"max_tokens": 3, "num_oov_indices": 3, "vocabulary": ["a", "b"]},
        3,
    ),
}


@pytest.mark.parametrize(
    ("params", "reserved"),
    list(TOO_SMALL_MAX_TOKENS.values()),
    ids=list(TOO_SMALL_MAX_TOKENS),
)
def test_r10_max_tokens_without_room_for_a_term(engine, params, reserved):
    """R10: max_tokens at or below the reserved indices raises at fit."""
    lookup = StringLookupTransformer(engine=engine, **params)

    with pytest.raises(
        ValueError, match=rf"max_tokens.* reserved indices \({reserved}"
    ):
        lookup.fit(_frame(["a", "b", "a"]))

    assert not hasattr(lookup, "vocabularies_")


@pytest.mark.parametrize(
    "params",
    [
        {"max_tokens": 4, "num_oov_indices": 3},
        {"max_tokens": 5, "num_oov_indices": 3, "mask_token": ""},
        {
            "max_tokens": 4,
            "num_oov_indices": 3,
            "mask_token": "",
            "output_mode": "count",
        },
        {"max_tokens": 2},
    ],
    ids=["4 with 3 oov", "5 with a mask", "4 with a mask in count", "2 with 1 oov"],
)
def test_r10_max_tokens_with_room_for_one_term(engine, params):
    """R10: one slot above the reserved indices keeps the most frequent term."""
    lookup = StringLookupTransformer(engine=engine, **params)

    lookup.fit(_frame(["a", "b", "a", "c"]))

    assert lookup.vocabularies_ == [["a"]]


def test_r10_given_vocabulary_longer_than_max_tokens(engine):
    """R10: a given vocabulary that does not fit max_tokens is refused whole."""
    lookup = StringLookupTransformer(
        engine=engine, max_tokens=3, vocabulary=["a", "b", "c"]
    )

    with pytest.raises(ValueError, match="has 3 terms, but max_tokens=3 leaves room"):
        lookup.fit(_frame(["a"]))


def test_r10_set_params_after_fit_is_checked_at_transform(engine):
    """R10: a max_tokens set after fit without room is refused at transform."""
    lookup = StringLookupTransformer(engine=engine, max_tokens=5).fit(_frame(["a"]))
    lookup.set_params(max_tokens=1)

    with pytest.raises(ValueError, match=r"max_tokens.* reserved indices \(1"):
        lookup.transform(_frame(["a"]))


# R11 --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "tokens",
    [
        {"mask_token": "[UNK]"},
        {"mask_token": "x", "oov_token": "x"},
        {"mask_token": "", "oov_token": ""},
    ],
    ids=["default oov", "custom", "empty"],
)
@pytest.mark.parametrize(
    "params",
    [{}, {"output_mode": "one_hot"}, {"invert": True}, {"vocabulary": ["a"]}],
    ids=["int", "one_hot", "invert", "given vocabulary"],
)
def test_r11_mask_token_equal_to_oov_token(engine, tokens, params):
    """R11: mask_token equal to oov_token raises at fit."""
    lookup = StringLookupTransformer(engine=engine, **tokens, **params)

    with pytest.raises(ValueError, match="mask_token must differ from oov_token"):
        lookup.fit(_frame(["a", "b"]))


def test_r11_set_params_after_fit_is_checked_at_transform(engine):
    """R11: a mask_token set equal to oov_token after fit raises at transform."""
    lookup = StringLookupTransformer(engine=engine).fit(_frame(["a", "b"]))
    lookup.set_params(mask_token="[UNK]")

    with pytest.raises(ValueError, match="mask_token must differ from oov_token"):
        lookup.transform(_frame(["a"]))


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"vocabulary": ["a", "[UNK]"]}, "OOV token '[UNK]' at position 1"),
        ({"vocabulary": ["a", ""], "mask_token": ""}, "mask token '' at position 1"),
        (
            {"vocabulary": ["a", "?"], "oov_token": "?", "output_mode": "count"},
            "OOV token '?' at position 1",
        ),
    ],
    ids=["oov token", "mask token", "custom oov token in count"],
)
def test_r11_special_tokens_inside_a_given_vocabulary(engine, params, message):
    """R11: a given vocabulary holding a special token after its start raises."""
    lookup = StringLookupTransformer(engine=engine, **params)

    with pytest.raises(ValueError, match=re.escape(message)):
        lookup.fit(_frame(["a"]))


@pytest.mark.parametrize(
    ("params", "query", "expected"),
    [
        ({"vocabulary": ["[UNK]", "a"]}, ["a", "[UNK]"], [1, 0]),
        ({"vocabulary": ["", "[UNK]", "a"], "mask_token": ""}, ["a", ""], [2, 0]),
        (
            {"vocabulary": ["[UNK]", "[UNK]", "a"], "num_oov_indices": 2},
            ["a"],
            [2],
        ),
    ],
    ids=["oov prefix", "mask and oov prefix", "two oov prefix"],
)
def test_r11_leading_special_tokens_are_stripped(engine, params, query, expected):
    """R11: the exact special-token prefix of a given vocabulary is dropped."""
    lookup = StringLookupTransformer(engine=engine, **params).fit(_frame(["a"]))

    assert lookup.vocabularies_ == [["a"]]
    assert lookup.transform(_frame(query)).ravel().tolist() == expected


# R12 --------------------------------------------------------------------------


@pytest.mark.parametrize("term", ["a", "ab\x00", "é"], ids=["ascii", "nul", "accent"])
@pytest.mark.parametrize(
    "shape",
    ["list", "tuple", "ndarray", "dict", "nested", "after prefix"],
)
def test_r12_repeated_terms_are_named(engine, term, shape):
    """R12: a given vocabulary that repeats a term raises, naming the term."""
    terms = [term, "b", term]
    vocabulary = {
        "list": terms,
        "tuple": tuple(terms),
        "ndarray": np.array(terms, dtype=object),
        "dict": {"c": terms},
        "nested": [terms],
        "after prefix": ["[UNK]", *terms],
    }[shape]
    lookup = StringLookupTransformer(engine=engine, vocabulary=vocabulary)

    with pytest.raises(ValueError, match=r"repeat.*" + re.escape(repr(term))):
        lookup.fit(_frame(["b"]))


def test_r12_literal_case(engine):
    """R12: vocabulary=["a", "b", "a"] raises a ValueError naming "a"."""
    lookup = StringLookupTransformer(engine=engine, vocabulary=["a", "b", "a"])

    with pytest.raises(ValueError, match=r"repeat.*'a'"):
        lookup.fit(_frame(["a"]))


def test_r12_every_repeated_term_is_named(engine):
    """R12: several repeated terms are all named."""
    lookup = StringLookupTransformer(engine=engine, vocabulary=["a", "b", "b", "a"])

    with pytest.raises(ValueError, match=r"repeat.*'a'") as info:
        lookup.fit(_frame(["a"]))

    assert "'b'" in str(info.value)


@pytest.mark.parametrize(
    ("vocabulary", "repeated"),
    [([b"a", "a"], "a"), ([b"\xc3\xa9", "é"], "é")],
    ids=["ascii", "utf-8"],
)
def test_r12_bytes_and_text_of_one_term_repeat(engine, vocabulary, repeated):
    """R12: bytes that decode to a term already given repeat that term."""
    lookup = StringLookupTransformer(engine=engine, vocabulary=vocabulary)

    with pytest.raises(ValueError, match=r"repeat.*" + re.escape(repr(repeated))):
        lookup.fit(_frame(["a"]))


def test_r12_repeated_line_in_a_vocabulary_file(engine, tmp_path):
    """R12: a vocabulary file that repeats a line raises, naming the term."""
    path = tmp_path / "vocabulary.txt"
    path.write_bytes(b"a\nb\na\n")
    lookup = StringLookupTransformer(engine=engine, vocabulary=path)

    with pytest.raises(ValueError, match=r"repeat.*'a'"):
        lookup.fit(_frame(["a"]))


@pytest.mark.parametrize(
    "vocabulary",
    [["ab", "ab\x00"], ["é", "e\u0301"], ["a", "A", "a "]],
    ids=["nul", "normalisation", "case and space"],
)
def test_r12_near_identical_terms_do_not_repeat(engine, vocabulary):
    """R12: terms that differ in any code point are not repeats."""
    lookup = StringLookupTransformer(engine=engine, vocabulary=vocabulary)

    lookup.fit(_frame(["a"]))

    assert lookup.vocabularies_ == [vocabulary]
    out = lookup.transform(_frame(vocabulary)).ravel().tolist()
    assert out == list(range(1, len(vocabulary) + 1))


# R13 --------------------------------------------------------------------------

LN2, LN25 = math.log(2), math.log(2.5)
R13_EXPECTED = np.array(
    [[0, LN2, 0], [(LN2 + LN25) / 2, 0, 0], [0, 0, LN25]], dtype=np.float32
)


@pytest.mark.parametrize("sparse", [False, True], ids=["dense", "sparse"])
def test_r13_literal_case(engine, sparse):
    """R13: tf_idf columns [UNK], a, b hold the Keras weights as float32."""
    lookup = StringLookupTransformer(engine=engine, output_mode="tf_idf", sparse=sparse)
    lookup.fit(_frame(["a", "a", "b"]))

    out = lookup.transform(_frame(["a", "z", "b"]))

    assert sp.issparse(out) is sparse
    assert out.dtype == np.float32
    np.testing.assert_array_equal(_dense(out), R13_EXPECTED)
    assert lookup.get_feature_names_out().tolist() == ["c_[UNK]", "c_a", "c_b"]


@pytest.mark.parametrize(
    ("params", "query", "expected"),
    [
        (
            {"pad_to_max_tokens": True, "max_tokens": 5},
            ["a", "z", "b"],
            np.hstack([R13_EXPECTED, np.zeros((3, 2))]),
        ),
        ({"mask_token": ""}, ["a", "", "b"], [[0, LN2, 0], [0, 0, 0], [0, 0, LN25]]),
        ({"dtype": np.float64}, ["a", "z", "b"], R13_EXPECTED),
        (
            {"vocabulary": ["a", "b"], "idf_weights": [LN2, LN25]},
            ["a", "z", "b"],
            R13_EXPECTED,
        ),
        (
            {"vocabulary": ["[UNK]", "a", "b"], "idf_weights": [0.5, LN2, LN25]},
            ["a", "z", "b"],
            [[0, LN2, 0], [0.5, 0, 0], [0, 0, LN25]],
        ),
        ({}, ["a", "a", "z"], None),
    ],
    ids=["padded", "mask", "float64", "given", "given with prefix", "repeats"],
)
def test_r13_tf_idf_in_other_settings(engine, params, query, expected):
    """R13: padding, mask, dtype and given weights keep the Keras tf-idf values."""
    lookup = StringLookupTransformer(engine=engine, output_mode="tf_idf", **params)
    lookup.fit(_frame(["a", "a", "b"]))

    out = lookup.transform(_frame(query))

    if expected is None:
        expected = [[0, LN2, 0], [0, LN2, 0], [(LN2 + LN25) / 2, 0, 0]]
    expected = np.asarray(expected, dtype=np.float32)
    dtype = params.get("dtype", np.float32)
    assert out.dtype == dtype
    np.testing.assert_array_equal(out, expected.astype(dtype))


def test_r13_shared_vocabulary_counts_terms_per_row(engine):
    """R13: with a shared vocabulary a row is one document; counts add up."""
    lookup = StringLookupTransformer(
        engine=engine, output_mode="tf_idf", shared_vocabulary=True
    ).fit(pd.DataFrame({"x": ["a", "a", "b"], "y": ["a", "b", "c"]}))

    out = lookup.transform(pd.DataFrame({"x": ["a", "z"], "y": ["a", "c"]}))

    oov = (2 * LN2 + LN25) / 3
    expected = [[0, 2 * LN2, 0, 0], [oov, 0, 0, LN25]]
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, expected, rtol=1e-6)
    assert lookup.get_feature_names_out().tolist() == ["[UNK]", "a", "b", "c"]


def test_r13_two_oov_buckets_share_the_oov_weight(engine):
    """R13: each OOV bucket carries the mean term weight."""
    lookup = StringLookupTransformer(
        engine=engine, output_mode="tf_idf", num_oov_indices=2
    ).fit(_frame(["a", "a", "b"]))

    out = lookup.transform(_frame(["z", "zz"]))

    expected = np.zeros((2, 4), dtype=np.float32)
    for row, term in enumerate(["z", "zz"]):
        expected[row, _farmhash_bucket(term, 2)] = np.float32((LN2 + LN25) / 2)
    np.testing.assert_array_equal(out, expected)


# R14 --------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["inverse_transform", "invert"])
def test_r14_literal_case(engine, method):
    """R14: indices [0, 1, 2, 99, -1] map to str terms, OOV for the rest."""
    invert = method == "invert"
    lookup = StringLookupTransformer(
        engine=engine, vocabulary=["a", "b"], invert=invert
    ).fit(_frame(["a"]))
    indices = _frame([0, 1, 2, 99, -1])

    out = lookup.transform(indices) if invert else lookup.inverse_transform(indices)

    assert out.dtype == object
    assert out.shape == (5, 1)
    assert out.ravel().tolist() == ["[UNK]", "a", "b", "[UNK]", "[UNK]"]
    assert all(type(term) is str for term in out.ravel())


@pytest.mark.parametrize(
    ("params", "indices", "expected"),
    [
        ({"mask_token": ""}, [0, 1, 2, 3, 4], ["", "[UNK]", "a", "b", "[UNK]"]),
        ({"num_oov_indices": 0}, [0, 1, 2, -1], ["a", "b", "[UNK]", "[UNK]"]),
        (
            {"num_oov_indices": 3},
            [0, 2, 3, 4, 5],
            ["[UNK]", "[UNK]", "a", "b", "[UNK]"],
        ),
        ({"oov_token": "?"}, [0, 1, 7], ["?", "a", "?"]),
        ({}, [2**62, -(2**62)], ["[UNK]", "[UNK]"]),
        ({}, np.array([1.0, 2.0]), ["a", "b"]),
        ({}, pd.array([2, 1], dtype="Int64"), ["b", "a"]),
        ({}, np.array([2**64 - 1, 1], dtype=np.uint64), ["[UNK]", "a"]),
    ],
    ids=[
        "mask",
        "no oov",
        "three oov",
        "custom oov",
        "huge",
        "whole floats",
        "Int64",
        "uint64",
    ],
)
@pytest.mark.parametrize("method", ["inverse_transform", "invert"])
def test_r14_indices_to_terms_in_other_layouts(
    engine, params, indices, expected, method
):
    """R14: every index maps to its term, the mask, or the OOV token, as str."""
    invert = method == "invert"
    lookup = StringLookupTransformer(
        engine=engine, vocabulary=["a", "b"], invert=invert, **params
    ).fit(_frame(["a"]))
    X = pd.DataFrame({"c": indices})

    out = lookup.transform(X) if invert else lookup.inverse_transform(X)

    assert out.ravel().tolist() == expected
    assert all(type(term) is str for term in out.ravel())


def test_r14_inverse_of_several_columns(engine):
    """R14: each column maps back through its own vocabulary."""
    X = pd.DataFrame({"x": ["a", "b", "a"], "y": ["ab\x00", "c\rd", "c\rd"]})
    lookup = StringLookupTransformer(engine=engine).fit(X)
    indices = pd.DataFrame(lookup.transform(X), columns=["x", "y"])

    out = lookup.inverse_transform(indices)

    assert out.tolist() == X.to_numpy().tolist()
    assert all(type(term) is str for term in out.ravel())


def test_r14_inverse_needs_int_mode(engine):
    """R14: inverse_transform of an encoded mode raises."""
    lookup = StringLookupTransformer(engine=engine, output_mode="one_hot")
    lookup.fit(_frame(["a"]))

    with pytest.raises(ValueError, match="inverse_transform needs output_mode='int'"):
        lookup.inverse_transform([[1]])


# R15 --------------------------------------------------------------------------

UNNORMALISED_PAIRS = {
    "é NFC/NFD": ("é", "e\u0301"),
    "Å three ways": ("\u00c5", "\u212b"),
    "Å composed": ("\u00c5", "A\u030a"),
    "ﬁ ligature": ("\ufb01", "fi"),
    "full width": ("\uff21", "A"),
    "Kelvin sign": ("\u212a", "K"),
    "case": ("a", "A"),
    "trailing space": ("a", "a "),
    "zero width": ("ab", "a\u200bb"),
}


@pytest.mark.parametrize(
    "pair", list(UNNORMALISED_PAIRS.values()), ids=list(UNNORMALISED_PAIRS)
)
def test_r15_no_unicode_normalisation(engine, pair):
    """R15: canonically or compatibly equal strings stay distinct terms."""
    frequent, rare = pair

    lookup = StringLookupTransformer(engine=engine).fit(
        _frame([frequent, rare, frequent])
    )

    assert lookup.vocabularies_ == [[frequent, rare]]
    query = _frame([frequent, rare] * 20)
    assert lookup.transform(query).ravel().tolist() == [1, 2] * 20


def test_r15_literal_case(engine):
    """R15: "é" (count 2) then "e\\u0301"; plain "e" is OOV."""
    lookup = StringLookupTransformer(engine=engine).fit(_frame(["é", "e\u0301", "é"]))

    assert lookup.vocabularies_ == [["é", "e\u0301"]]
    out = lookup.transform(_frame(["é", "e\u0301", "e", "\u0301"]))
    assert out.ravel().tolist() == [1, 2, 0, 0]


# R16 --------------------------------------------------------------------------

CATEGORICAL_CASES = {
    "literal": (["y", "y", "x"], ["x", "y", "z"], False, ["y", "x"]),
    "ordered": (["y", "y", "x"], ["z", "x", "y"], True, ["y", "x"]),
    "tie": (["x", "z"], ["z", "y", "x"], False, ["z", "x"]),
    "missing": (["y", None, "y", "x"], ["x", "y", "z"], False, ["y", "x"]),
    "numbers": ([2, 2, 1], [1, 2, 3], False, ["2", "1"]),
}


@pytest.mark.parametrize(
    ("values", "categories", "ordered", "expected"),
    list(CATEGORICAL_CASES.values()),
    ids=list(CATEGORICAL_CASES),
)
def test_r16_categories_learn_observed_frequency(
    engine, values, categories, ordered, expected
):
    """R16: a category column learns the observed values by frequency."""
    column = pd.Categorical(values, categories=categories, ordered=ordered)

    lookup = StringLookupTransformer(engine=engine).fit(pd.DataFrame({"c": column}))

    assert lookup.vocabularies_ == [expected]


def test_r16_unused_category_is_oov(engine):
    """R16: a category never observed at fit looks up as OOV."""
    dtype = pd.CategoricalDtype(["x", "y", "z"])
    lookup = StringLookupTransformer(engine=engine).fit(
        pd.DataFrame({"c": pd.Series(["y", "y", "x"], dtype=dtype)})
    )

    out = lookup.transform(pd.DataFrame({"c": pd.Series(["z", "x", "y"], dtype=dtype)}))

    assert out.ravel().tolist() == [0, 2, 1]
    plain = lookup.transform(pd.DataFrame({"c": ["z", "x", "y"]}))
    assert plain.ravel().tolist() == [0, 2, 1]


def test_r16_polars_enum(engine):
    """R16: a polars Enum column learns observed values, not its categories."""
    pl = pytest.importorskip("polars")
    X = pl.DataFrame({"c": ["y", "y", "x"]}, schema={"c": pl.Enum(["x", "y", "z"])})

    lookup = StringLookupTransformer(engine=engine).fit(X)

    assert lookup.vocabularies_ == [["y", "x"]]


# R18 --------------------------------------------------------------------------

SWAP_MESSAGE = "Feature names must be in the same order as they were in fit"


@pytest.mark.parametrize(
    "params",
    [{}, {"output_mode": "one_hot"}, {"shared_vocabulary": True}],
    ids=["int", "one_hot", "shared"],
)
def test_r18_swapped_columns_raise(engine, params):
    """R18: columns b, a after fitting on a, b raise scikit-learn's error."""
    X = pd.DataFrame({"a": ["x", "y"], "b": ["u", "v"]})
    lookup = StringLookupTransformer(engine=engine, **params).fit(X)

    with pytest.raises(ValueError, match=SWAP_MESSAGE):
        lookup.transform(X[["b", "a"]])


def test_r18_rotated_columns_raise(engine):
    """R18: three columns in another order raise scikit-learn's error."""
    X = pd.DataFrame({"a": ["x"], "b": ["u"], "c": ["p"]})
    lookup = StringLookupTransformer(engine=engine).fit(X)

    with pytest.raises(ValueError, match=SWAP_MESSAGE):
        lookup.transform(X[["c", "a", "b"]])


@pytest.mark.parametrize("method", ["inverse_transform", "invert"])
def test_r18_swapped_index_columns_raise(engine, method):
    """R18: inverse_transform and invert=True check the column order too."""
    invert = method == "invert"
    X = pd.DataFrame({"a": ["x", "y"], "b": ["u", "v"]})
    lookup = StringLookupTransformer(engine=engine, invert=invert).fit(X)
    indices = pd.DataFrame({"b": [1, 2], "a": [2, 1]})

    to_terms = lookup.transform if invert else lookup.inverse_transform

    with pytest.raises(ValueError, match=SWAP_MESSAGE):
        to_terms(indices)


def test_r18_swapped_polars_columns_raise(engine):
    """R18: a polars frame with swapped columns raises too."""
    pl = pytest.importorskip("polars")
    X = pl.DataFrame({"a": ["x", "y"], "b": ["u", "v"]})
    lookup = StringLookupTransformer(engine=engine).fit(X)

    with pytest.raises(ValueError, match=SWAP_MESSAGE):
        lookup.transform(X.select(["b", "a"]))
