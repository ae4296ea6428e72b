"""The scikit-learn API: estimator checks (R17), output containers, pipelines,
fitted-state checks, feature names and tags."""

import re
import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from sklearn.compose import ColumnTransformer, make_column_selector
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils import get_tags
from sklearn.utils.estimator_checks import parametrize_with_checks
from sklearn.utils.validation import check_is_fitted

from skstringlookup import StringLookupTransformer

# R17 --------------------------------------------------------------------------

ESTIMATORS = [
    StringLookupTransformer(),
    StringLookupTransformer(output_mode="one_hot"),
    StringLookupTransformer(shared_vocabulary=True),
    StringLookupTransformer(engine="arrow"),
    StringLookupTransformer(engine="arrow", output_mode="one_hot"),
    StringLookupTransformer(engine="arrow", output_mode="tf_idf", sparse=True),
    StringLookupTransformer(engine="arrow", mask_token="", num_oov_indices=3),
]

# Checks expected to fail, by estimator, each with its reason. None is.
EXPECTED_FAILED_CHECKS = {}


def _expected_failed_checks(estimator):
    return EXPECTED_FAILED_CHECKS.get(repr(estimator), {})


@parametrize_with_checks(ESTIMATORS, expected_failed_checks=_expected_failed_checks)
def test_scikit_learn_estimator_checks(estimator, check):
    """R17: every scikit-learn estimator check passes on numeric data."""
    check(estimator)


# Fitted state -------------------------------------------------------------------

FRAME = pd.DataFrame({"a": ["x", "y", "x"], "b": ["u", "u", "v"]})


@pytest.mark.parametrize(
    "call",
    ["transform", "inverse_transform", "get_feature_names_out", "check_is_fitted"],
)
def test_not_fitted_error_before_fit(engine, call):
    """Every fitted-state method raises NotFittedError before fit."""
    lookup = StringLookupTransformer(engine=engine)
    calls = {
        "transform": lambda: lookup.transform(FRAME),
        "inverse_transform": lambda: lookup.inverse_transform(FRAME),
        "get_feature_names_out": lookup.get_feature_names_out,
        "check_is_fitted": lambda: check_is_fitted(lookup),
    }

    with pytest.raises(NotFittedError, match="is not fitted yet"):
        calls[call]()


def test_check_is_fitted_passes_after_fit(engine):
    """check_is_fitted accepts a fitted transformer."""
    lookup = StringLookupTransformer(engine=engine).fit(FRAME)

    assert check_is_fitted(lookup) is None


@pytest.mark.parametrize(
    ("params", "X", "message"),
    [
        ({}, pd.DataFrame({"a": [None, None]}), "has no term to learn"),
        ({"vocabulary": ["x", "x"]}, pd.DataFrame({"a": ["x"]}), "repeat"),
        (
            {"handle_missing": "error"},
            pd.DataFrame({"a": ["x", None]}),
            "missing cells",
        ),
    ],
    ids=["nothing to learn", "repeated vocabulary", "missing cell"],
)
@pytest.mark.parametrize("refit", [False, True], ids=["first fit", "refit"])
def test_failed_fit_leaves_the_transformer_unfitted(engine, params, X, message, refit):
    """A fit that fails on the data leaves no half-fitted transformer."""
    lookup = StringLookupTransformer(engine=engine)
    if refit:
        lookup.fit(pd.DataFrame({"a": ["x"]}))
    lookup.set_params(**params)

    with pytest.raises(ValueError, match=message):
        lookup.fit(X)

    with pytest.raises(NotFittedError, match="is not fitted yet"):
        check_is_fitted(lookup)
    with pytest.raises(NotFittedError, match="is not fitted yet"):
        lookup.transform(pd.DataFrame({"a": ["x"]}))


# n_features_in_ and feature_names_in_ (R18) --------------------------------------


def test_frame_sets_feature_names_in(engine):
    """A DataFrame sets n_features_in_ and feature_names_in_."""
    lookup = StringLookupTransformer(engine=engine).fit(FRAME)

    assert lookup.n_features_in_ == 2
    assert lookup.feature_names_in_.dtype == object
    assert lookup.feature_names_in_.tolist() == ["a", "b"]


def test_array_sets_no_feature_names(engine):
    """An array sets n_features_in_ only; a refit forgets the old names."""
    lookup = StringLookupTransformer(engine=engine).fit(FRAME)

    lookup.fit(np.array([["x", "u", "p"]], dtype=object))

    assert lookup.n_features_in_ == 3
    assert not hasattr(lookup, "feature_names_in_")


@pytest.mark.parametrize("method", ["transform", "inverse_transform"])
@pytest.mark.parametrize("n_columns", [1, 3])
def test_wrong_number_of_columns(engine, method, n_columns):
    """Another number of columns raises scikit-learn's n_features error."""
    lookup = StringLookupTransformer(engine=engine).fit(FRAME.to_numpy())
    X = np.ones((2, n_columns), dtype=np.int64)
    if method == "transform":
        X = X.astype(str).astype(object)
    message = (
        f"X has {n_columns} features, but StringLookupTransformer is expecting 2 "
        "features as input."
    )

    with pytest.raises(ValueError, match=re.escape(message)):
        getattr(lookup, method)(X)


@pytest.mark.parametrize(
    ("columns", "message"),
    [
        (["b", "a"], "Feature names must be in the same order as they were in fit"),
        (["a", "c"], "Feature names unseen at fit time:\n- c"),
        (["a"], "Feature names seen at fit time, yet now missing:\n- b"),
        (["a", "b", "c"], "Feature names unseen at fit time:\n- c"),
    ],
    ids=["swapped", "renamed", "dropped", "added"],
)
@pytest.mark.parametrize("rows", [2, 40], ids=["small batch", "large batch"])
def test_feature_name_errors(engine, columns, message, rows):
    """R18: swapped, renamed, dropped or added columns raise scikit-learn's error."""
    lookup = StringLookupTransformer(engine=engine).fit(FRAME)
    X = pd.DataFrame({name: ["x"] * rows for name in columns})

    with pytest.raises(ValueError, match=re.escape(message)):
        lookup.transform(X)


def test_frame_after_array_fit_warns(engine):
    """A DataFrame after fitting on an array warns and is read by position."""
    lookup = StringLookupTransformer(engine=engine).fit(FRAME.to_numpy())

    with pytest.warns(UserWarning, match="X has feature names, but"):
        out = lookup.transform(FRAME)

    np.testing.assert_array_equal(out, [[1, 1], [2, 1], [1, 2]])


@pytest.mark.parametrize("rows", [3, 36], ids=["small batch", "large batch"])
def test_array_after_frame_fit_warns(engine, rows):
    """An array after fitting on a DataFrame warns and is read by position."""
    lookup = StringLookupTransformer(engine=engine).fit(FRAME)
    X = np.tile(FRAME.to_numpy(dtype=object), (rows // 3, 1))

    with pytest.warns(UserWarning, match="X does not have valid feature names"):
        out = lookup.transform(X)

    np.testing.assert_array_equal(
        out, np.tile([[1, 1], [2, 1], [1, 2]], (rows // 3, 1))
    )


def test_mixed_column_name_types_raise(engine):
    """Column names of mixed types raise scikit-learn's TypeError."""
    X = pd.DataFrame({"a": ["x"], 1: ["y"]})

    with pytest.raises(TypeError, match="Feature names are only supported if all"):
        StringLookupTransformer(engine=engine).fit(X)


# get_feature_names_out ------------------------------------------------------------

FEATURE_NAME_CASES = {
    "int": ({}, ["a", "b"]),
    "invert": ({"invert": True}, ["a", "b"]),
    "shared int": ({"shared_vocabulary": True}, ["a", "b"]),
    "one_hot": (
        {"output_mode": "one_hot"},
        ["a_[UNK]", "a_x", "a_y", "b_[UNK]", "b_u", "b_v"],
    ),
    "multi_hot": (
        {"output_mode": "multi_hot"},
        ["a_[UNK]", "a_x", "a_y", "b_[UNK]", "b_u", "b_v"],
    ),
    "count, mask": (
        {"output_mode": "count", "mask_token": ""},
        ["a_[UNK]", "a_x", "a_y", "b_[UNK]", "b_u", "b_v"],
    ),
    "tf_idf": (
        {"output_mode": "tf_idf"},
        ["a_[UNK]", "a_x", "a_y", "b_[UNK]", "b_u", "b_v"],
    ),
    "no oov": (
        {"output_mode": "count", "num_oov_indices": 0},
        ["a_x", "a_y", "b_u", "b_v"],
    ),
    "three oov": (
        {"output_mode": "one_hot", "num_oov_indices": 3},
        [
            *["a_[UNK]_0", "a_[UNK]_1", "a_[UNK]_2", "a_x", "a_y"],
            *["b_[UNK]_0", "b_[UNK]_1", "b_[UNK]_2", "b_u", "b_v"],
        ],
    ),
    "custom oov": (
        {"output_mode": "multi_hot", "oov_token": "?"},
        ["a_?", "a_x", "a_y", "b_?", "b_u", "b_v"],
    ),
    "padding": (
        {"output_mode": "tf_idf", "max_tokens": 5, "pad_to_max_tokens": True},
        [
            *["a_[UNK]", "a_x", "a_y", "a_[PAD]_3", "a_[PAD]_4"],
            *["b_[UNK]", "b_u", "b_v", "b_[PAD]_3", "b_[PAD]_4"],
        ],
    ),
    "shared one_hot": (
        {"output_mode": "one_hot", "shared_vocabulary": True},
        [
            *["a_[UNK]", "a_x", "a_u", "a_y", "a_v"],
            *["b_[UNK]", "b_x", "b_u", "b_y", "b_v"],
        ],
    ),
    "shared multi_hot": (
        {"output_mode": "multi_hot", "shared_vocabulary": True},
        ["[UNK]", "x", "u", "y", "v"],
    ),
    "shared count, two oov": (
        {"output_mode": "count", "shared_vocabulary": True, "num_oov_indices": 2},
        ["[UNK]_0", "[UNK]_1", "x", "u", "y", "v"],
    ),
    "shared tf_idf, padding": (
        {
            "output_mode": "tf_idf",
            "shared_vocabulary": True,
            "max_tokens": 6,
            "pad_to_max_tokens": True,
        },
        ["[UNK]", "x", "u", "y", "v", "[PAD]_5"],
    ),
}


@pytest.mark.parametrize(
    ("params", "expected"),
    list(FEATURE_NAME_CASES.values()),
    ids=list(FEATURE_NAME_CASES),
)
def test_feature_names_out_of_every_mode(engine, params, expected):
    """Output names follow <column>_<token>, one per output column."""
    lookup = StringLookupTransformer(engine=engine, **params).fit(FRAME)
    indices = pd.DataFrame({"a": [1, 0], "b": [2, 1]})

    names = lookup.get_feature_names_out()
    out = lookup.transform(indices if params.get("invert") else FRAME)

    assert names.dtype == object
    assert names.tolist() == expected
    assert out.shape[1] == len(expected)


def test_feature_names_of_an_array_fit(engine):
    """Without column names the inputs are x0, x1, or the names given."""
    lookup = StringLookupTransformer(engine=engine, output_mode="one_hot")
    lookup.fit(FRAME.to_numpy())

    default = lookup.get_feature_names_out()
    given = lookup.get_feature_names_out(["p", "q"])

    assert default.tolist() == ["x0_[UNK]", "x0_x", "x0_y", "x1_[UNK]", "x1_u", "x1_v"]
    assert given.tolist() == ["p_[UNK]", "p_x", "p_y", "q_[UNK]", "q_u", "q_v"]


@pytest.mark.parametrize(
    ("fit_on", "input_features", "message"),
    [
        ("frame", ["b", "a"], "input_features is not equal to feature_names_in_"),
        (
            "array",
            ["p"],
            "input_features should have length equal to number of features (2), got 1",
        ),
    ],
    ids=["other names", "wrong length"],
)
def test_feature_names_out_refuses_wrong_input_features(
    engine, fit_on, input_features, message
):
    """input_features that do not match the fit raise scikit-learn's error."""
    X = FRAME if fit_on == "frame" else FRAME.to_numpy()
    lookup = StringLookupTransformer(engine=engine, output_mode="count").fit(X)

    with pytest.raises(ValueError, match=re.escape(message)):
        lookup.get_feature_names_out(input_features)


# set_output --------------------------------------------------------------------

OUTPUT_CASES = {
    "int": ({}, [[1, 1], [2, 1], [1, 2]], np.int64),
    "one_hot": (
        {"output_mode": "one_hot"},
        [[0, 1, 0, 0, 1, 0], [0, 0, 1, 0, 1, 0], [0, 1, 0, 0, 0, 1]],
        np.int64,
    ),
    "count, float64": (
        {"output_mode": "count", "dtype": np.float64},
        [[0, 1, 0, 0, 1, 0], [0, 0, 1, 0, 1, 0], [0, 1, 0, 0, 0, 1]],
        np.float64,
    ),
}


@pytest.mark.parametrize(
    ("params", "expected", "dtype"), list(OUTPUT_CASES.values()), ids=list(OUTPUT_CASES)
)
def test_pandas_output_has_feature_names(engine, params, expected, dtype):
    """set_output(transform="pandas") gives a DataFrame named by the output."""
    X = FRAME.set_axis([10, 20, 30])
    lookup = StringLookupTransformer(engine=engine, **params).set_output(
        transform="pandas"
    )

    out = lookup.fit(X).transform(X)

    assert isinstance(out, pd.DataFrame)
    assert out.columns.tolist() == lookup.get_feature_names_out().tolist()
    assert out.index.tolist() == [10, 20, 30]
    assert (out.dtypes == dtype).all()
    np.testing.assert_array_equal(out.to_numpy(), expected)


def test_pandas_output_of_invert(engine):
    """Inverted pandas output holds the terms as str."""
    lookup = StringLookupTransformer(engine=engine, invert=True).set_output(
        transform="pandas"
    )
    lookup.fit(FRAME)

    out = lookup.transform(pd.DataFrame({"a": [1, 0], "b": [2, 9]}))

    assert out.columns.tolist() == ["a", "b"]
    assert out.to_numpy().tolist() == [["x", "v"], ["[UNK]", "[UNK]"]]


def test_pandas_output_refuses_sparse(engine):
    """Pandas output of a sparse transformer raises scikit-learn's error."""
    lookup = StringLookupTransformer(
        engine=engine, output_mode="count", sparse=True
    ).set_output(transform="pandas")

    with pytest.raises(ValueError, match="outputs a scipy sparse matrix"):
        lookup.fit_transform(FRAME)


def test_polars_output_has_feature_names(engine):
    """set_output(transform="polars") gives a polars frame named by the output."""
    pytest.importorskip("polars")
    lookup = StringLookupTransformer(engine=engine, output_mode="multi_hot")
    lookup.set_output(transform="polars")

    out = lookup.fit(FRAME).transform(FRAME)

    assert type(out).__module__.startswith("polars")
    assert out.columns == lookup.get_feature_names_out().tolist()
    assert out.to_numpy().tolist() == [
        [0, 1, 0, 0, 1, 0],
        [0, 0, 1, 0, 1, 0],
        [0, 1, 0, 0, 0, 1],
    ]


# Pipelines -------------------------------------------------------------------------

SHOP = pd.DataFrame(
    {
        "city": ["Oslo", "Lima", "Oslo", "Pune", "Lima", "Oslo"],
        "size": [1.0, 2.0, 3.0, 1.0, 2.0, 3.0],
        "color": pd.Series(["red", None, "red", "blue", "blue", "red"], dtype="str"),
    }
)
BOUGHT = np.array([1, 0, 1, 0, 0, 1])


def _shop_columns(engine, **params):
    return ColumnTransformer(
        [
            (
                "lookup",
                StringLookupTransformer(engine=engine, output_mode="one_hot", **params),
                make_column_selector(dtype_exclude="number"),
            ),
            ("scale", StandardScaler(), ["size"]),
        ]
    )


def test_column_transformer_on_text_and_numbers(engine):
    """A ColumnTransformer encodes the text columns and scales the numbers."""
    columns = _shop_columns(engine)

    out = columns.fit_transform(SHOP)

    assert columns.get_feature_names_out().tolist() == [
        *["lookup__city_[UNK]", "lookup__city_Oslo", "lookup__city_Lima"],
        "lookup__city_Pune",
        *["lookup__color_[UNK]", "lookup__color_red", "lookup__color_blue"],
        "scale__size",
    ]
    scaled = (SHOP["size"] - 2.0) / np.sqrt(2 / 3)
    expected = [
        [0, 1, 0, 0, 0, 1, 0],
        [0, 0, 1, 0, 1, 0, 0],
        [0, 1, 0, 0, 0, 1, 0],
        [0, 0, 0, 1, 0, 0, 1],
        [0, 0, 1, 0, 0, 0, 1],
        [0, 1, 0, 0, 0, 1, 0],
    ]
    np.testing.assert_allclose(out, np.column_stack([expected, scaled]))


def test_column_transformer_with_pandas_output(engine):
    """ColumnTransformer pandas output is named by get_feature_names_out."""
    columns = _shop_columns(engine).set_output(transform="pandas")

    out = columns.fit_transform(SHOP)

    assert out.columns.tolist() == columns.get_feature_names_out().tolist()
    assert out["lookup__city_Pune"].tolist() == [0, 0, 0, 1, 0, 0]
    assert out["lookup__color_[UNK]"].tolist() == [0, 1, 0, 0, 0, 0]


def test_pipeline_predicts_from_text_and_numbers(engine):
    """A Pipeline from the lookup to a classifier fits and predicts."""
    pipe = Pipeline(
        [("columns", _shop_columns(engine)), ("model", LogisticRegression(C=100.0))]
    )

    pipe.fit(SHOP, BOUGHT)
    new = pd.DataFrame(
        {"city": ["Oslo", "Rome"], "size": [2.0, 2.0], "color": ["red", "red"]}
    )

    np.testing.assert_array_equal(pipe.predict(SHOP), BOUGHT)
    assert pipe.predict(new)[0] == 1
    assert pipe.predict_proba(new).shape == (2, 2)


def test_grid_search_sets_lookup_parameters(engine):
    """GridSearchCV clones the lookup and sets its parameters by name."""
    pipe = Pipeline(
        [("columns", _shop_columns(engine)), ("model", LogisticRegression())]
    )
    search = GridSearchCV(
        pipe,
        {"columns__lookup__num_oov_indices": [1, 2]},
        cv=2,
    )

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        search.fit(SHOP, BOUGHT)

    assert search.best_params_["columns__lookup__num_oov_indices"] in (1, 2)
    lookup = search.best_estimator_.named_steps["columns"].named_transformers_["lookup"]
    assert lookup.vocabularies_ == [["Oslo", "Lima", "Pune"], ["red", "blue"]]
    assert search.cv_results_["params"] == [
        {"columns__lookup__num_oov_indices": 1},
        {"columns__lookup__num_oov_indices": 2},
    ]


def test_pipeline_with_sparse_output(engine):
    """A sparse lookup feeds a classifier in a Pipeline."""
    pipe = Pipeline(
        [
            (
                "lookup",
                StringLookupTransformer(
                    engine=engine, output_mode="multi_hot", sparse=True
                ),
            ),
            ("model", LogisticRegression(C=100.0)),
        ]
    )

    pipe.fit(SHOP[["city"]], BOUGHT)

    assert sp.issparse(pipe[:-1].transform(SHOP[["city"]]))
    np.testing.assert_array_equal(pipe.predict(SHOP[["city"]]), BOUGHT)


# Tags ----------------------------------------------------------------------------


def test_tags():
    """The tags say: 2-D string and categorical input, NaN allowed, no sparse."""
    tags = get_tags(StringLookupTransformer())

    assert tags.estimator_type is None
    assert tags.requires_fit is True
    assert tags.non_deterministic is False
    assert tags.target_tags.required is False
    assert tags.transformer_tags is not None
    assert tags.transformer_tags.preserves_dtype == []
    input_tags = tags.input_tags
    assert (input_tags.two_d_array, input_tags.one_d_array) == (True, False)
    assert (input_tags.string, input_tags.categorical) == (True, True)
    assert (input_tags.allow_nan, input_tags.sparse) == (True, False)
    assert input_tags.pairwise is False
