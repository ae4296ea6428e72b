"""polars DataFrames as input, and set_output(transform="polars")."""

import numpy as np
import pandas as pd
import pytest

from skstringlookup import StringLookupTransformer

pl = pytest.importorskip("polars")


def _frame():
    return pl.DataFrame(
        {
            "s": pl.Series(["a", "b", None, "a", "é"], dtype=pl.String),
            "c": pl.Series(["x", "y", "x", None, "x"], dtype=pl.Categorical),
            "e": pl.Series(["y", "y", "x", "z", None], dtype=pl.Enum(["x", "y", "z"])),
            "i": pl.Series([101, 102, None, 101, 7], dtype=pl.Int64),
            "f": pl.Series([1.5, None, 2.0, 1.5, float("nan")], dtype=pl.Float64),
        }
    )


def test_polars_input_vocabularies(engine):
    """Strings, categoricals, enums and numbers are read as their text."""
    est = StringLookupTransformer(engine=engine).fit(_frame())

    assert est.vocabularies_ == [
        ["a", "é", "b"],
        ["x", "y"],
        ["y", "z", "x"],
        ["101", "7", "102"],
        ["1.5", "2.0"],
    ]
    assert est.feature_names_in_.tolist() == ["s", "c", "e", "i", "f"]


def test_polars_transform_matches_pandas(engine):
    """polars input gives the output of the same data in pandas."""
    frame = _frame()
    est = StringLookupTransformer(engine=engine).fit(frame)

    out = est.transform(frame)

    np.testing.assert_array_equal(
        out,
        [
            [1, 1, 1, 1, 1],
            [3, 2, 1, 3, 0],
            [0, 1, 3, 0, 2],
            [1, 0, 2, 1, 1],
            [2, 1, 0, 2, 0],
        ],
    )
    pandas_frame = pd.DataFrame(
        {
            "s": ["a", "b", None, "a", "é"],
            "c": pd.Categorical(["x", "y", "x", None, "x"]),
            "e": pd.Categorical(["y", "y", "x", "z", None], categories=["x", "y", "z"]),
            "i": pd.array([101, 102, None, 101, 7], dtype="Int64"),
            "f": [1.5, np.nan, 2.0, 1.5, np.nan],
        }
    )
    np.testing.assert_array_equal(est.transform(pandas_frame), out)


def test_polars_null_column():
    """An all-null column transforms to the OOV or mask index."""
    est = StringLookupTransformer(
        vocabulary=[["a"], ["a"]], mask_token="", handle_missing="mask", engine="arrow"
    )
    frame = pl.DataFrame({"s": ["a", "b"], "n": pl.Series([None, None], dtype=pl.Null)})

    out = est.fit(frame).transform(frame)

    np.testing.assert_array_equal(out, [[2, 0], [1, 0]])


def test_polars_null_column_cannot_be_learned():
    """Learning from an all-null column is an error naming it."""
    frame = pl.DataFrame({"s": ["a", "b"], "n": pl.Series([None, None], dtype=pl.Null)})

    with pytest.raises(ValueError, match="column 'n' has no term to learn"):
        StringLookupTransformer(engine="arrow").fit(frame)


def test_polars_output_int(engine):
    """set_output(transform='polars') keeps the column names, int64 values."""
    frame = _frame().select("s", "i")
    est = StringLookupTransformer(engine=engine).set_output(transform="polars")

    out = est.fit(frame).transform(frame)

    assert isinstance(out, pl.DataFrame)
    assert out.columns == ["s", "i"]
    assert out.dtypes == [pl.Int64, pl.Int64]
    assert out.to_dict(as_series=False) == {"s": [1, 3, 0, 1, 2], "i": [1, 3, 0, 1, 2]}


def test_polars_output_one_hot():
    """One-hot columns are named <column>_<token>."""
    frame = _frame().select("c")
    est = StringLookupTransformer(output_mode="one_hot", engine="arrow")
    est.set_output(transform="polars")

    out = est.fit(frame).transform(frame)

    assert out.columns == ["c_[UNK]", "c_x", "c_y"]
    assert out.to_dict(as_series=False) == {
        "c_[UNK]": [0, 0, 0, 1, 0],
        "c_x": [1, 0, 1, 0, 1],
        "c_y": [0, 1, 0, 0, 0],
    }


def test_polars_output_tf_idf():
    """tf-idf output is float32 with the token names."""
    frame = pl.DataFrame({"c": ["a", "a", "b"]})
    est = StringLookupTransformer(output_mode="tf_idf", engine="arrow")
    est.set_output(transform="polars")

    out = est.fit(frame).transform(pl.DataFrame({"c": ["a", "z", "b"]}))

    assert out.columns == ["c_[UNK]", "c_a", "c_b"]
    assert out.dtypes == [pl.Float32] * 3
    ln2, ln25 = np.float32(np.log(2.0)), np.float32(np.log(2.5))
    oov = np.float32((np.log(2.0) + np.log(2.5)) / 2)
    np.testing.assert_array_equal(
        out.to_numpy(), np.float32([[0, ln2, 0], [oov, 0, 0], [0, 0, ln25]])
    )


def test_polars_output_invert():
    """Inverted output is a polars String column."""
    est = StringLookupTransformer(invert=True, vocabulary=["a", "b"], engine="arrow")
    est.set_output(transform="polars")

    out = est.fit(pl.DataFrame({"c": ["a"]})).transform(pl.DataFrame({"c": [2, 0, 1]}))

    assert out.dtypes == [pl.String]
    assert out.to_dict(as_series=False) == {"c": ["b", "[UNK]", "a"]}


def test_polars_columns_must_match():
    """Columns in another order give scikit-learn's feature-name error."""
    frame = _frame().select("s", "c")
    est = StringLookupTransformer(engine="arrow").fit(frame)

    with pytest.raises(ValueError, match="feature names should match"):
        est.transform(frame.select("c", "s"))
