"""Fitting on and transforming Dask collections on a two-process cluster."""

import re

import numpy as np
import pandas as pd
import pytest
from sklearn.exceptions import NotFittedError

from skstringlookup import StringLookupTransformer

dd = pytest.importorskip("dask.dataframe")
da = pytest.importorskip("dask.array")
key_split = pytest.importorskip("dask.utils").key_split
distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def client():
    """A local cluster of two worker processes, one thread each."""
    cluster = distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
    )
    with cluster, distributed.Client(cluster) as client:
        yield client


def make_frame(n_rows=600, seed=0):
    """Three text columns with a skewed spread of terms and some missing cells."""
    rng = np.random.default_rng(seed)
    terms = np.array([f"t{i}" for i in range(40)] + ["a", "é", ""], dtype=object)
    ranks = np.minimum(rng.zipf(1.6, size=(n_rows, 3)) - 1, len(terms) - 1)
    cells = terms[ranks]
    cells[rng.random((n_rows, 3)) < 0.05] = None
    index = pd.RangeIndex(100, 100 + 2 * n_rows, 2, name="row")
    return pd.DataFrame(cells, columns=["x", "y", "z"], index=index)


def split(frame, sizes):
    """A Dask DataFrame whose partitions hold `sizes` rows each, in order."""
    bounds = np.cumsum([0, *sizes])
    assert bounds[-1] == len(frame)
    parts = [
        dd.from_pandas(frame.iloc[a:b], npartitions=1, sort=False)
        for a, b in zip(bounds[:-1], bounds[1:], strict=True)
    ]
    return dd.concat(parts)


FRAME = make_frame()
# Partitions of uneven sizes, one of them empty.
SIZES = [250, 1, 0, 199, 150]
# Unseen terms, to exercise the OOV slots.
NEW = pd.DataFrame(
    {"x": ["t0", "new", None], "y": ["zzz", "t1", "a"], "z": ["", "t39", "qq"]},
    index=pd.Index([7, 3, 5], name="row"),
)


def assert_same_fit(fitted, expected):
    """Two fitted transformers hold the same vocabularies and weights."""
    assert fitted.vocabularies_ == expected.vocabularies_
    assert fitted.n_features_in_ == expected.n_features_in_
    np.testing.assert_array_equal(fitted.feature_names_in_, expected.feature_names_in_)
    if "idf_weights_" in expected.__dict__:
        assert len(fitted.idf_weights_) == len(expected.idf_weights_)
        for got, want in zip(fitted.idf_weights_, expected.idf_weights_, strict=True):
            assert got.dtype == want.dtype == np.float32
            np.testing.assert_array_equal(got, want)
    else:
        assert "idf_weights_" not in fitted.__dict__


def computed(out):
    """A computed Dask result as a dense NumPy array."""
    out = out.compute()
    if hasattr(out, "toarray"):
        out = out.toarray()
    return np.asarray(out)


def dense(out):
    return out.toarray() if hasattr(out, "toarray") else out


SETTINGS = [
    {},
    {"max_tokens": 6},
    {"min_frequency": 4},
    {"min_frequency": 0.02},
    {"mask_token": "a", "handle_missing": "mask"},
    {"num_oov_indices": 3},
    {"num_oov_indices": 0, "handle_missing": "mask", "mask_token": ""},
    {"shared_vocabulary": True, "max_tokens": 10},
    {"output_mode": "tf_idf"},
    {"output_mode": "tf_idf", "shared_vocabulary": True, "min_frequency": 2},
    {"output_mode": "multi_hot", "shared_vocabulary": True, "mask_token": "a"},
    {"output_mode": "count", "sparse": True, "max_tokens": 8},
    {"output_mode": "one_hot", "pad_to_max_tokens": True, "max_tokens": 9},
]
SETTING_IDS = [
    "default",
    "max_tokens",
    "min_frequency_int",
    "min_frequency_float",
    "mask",
    "three_oov",
    "no_oov",
    "shared",
    "tf_idf",
    "tf_idf_shared",
    "multi_hot_shared_mask",
    "count_sparse",
    "one_hot_padded",
]


@pytest.mark.slow
@pytest.mark.parametrize("params", SETTINGS, ids=SETTING_IDS)
def test_fit_on_partitions_equals_fit_on_concatenation(client, params):
    """Vocabularies, idf weights and outputs equal those of the pandas path."""
    expected = StringLookupTransformer(engine="arrow", **params).fit(FRAME)

    fitted = StringLookupTransformer(engine="arrow", **params).fit(split(FRAME, SIZES))

    assert_same_fit(fitted, expected)
    X = NEW if params.get("num_oov_indices", 1) else FRAME
    want = dense(expected.transform(X))
    got = computed(fitted.transform(split(X, [1, len(X) - 1])))
    assert got.dtype == want.dtype
    np.testing.assert_array_equal(got, want)


@pytest.mark.slow
def test_fit_counts_partitions_on_both_workers(client):
    """Partitions are counted in the worker processes, not in this one."""
    with distributed.get_task_stream(client) as stream:
        StringLookupTransformer(engine="arrow").fit(split(FRAME, SIZES))

    workers = {task["worker"] for task in stream.data}
    names = {key_split(task["key"]) for task in stream.data}
    assert workers == set(client.scheduler_info()["workers"])
    assert {"count_partition", "merge_counts"} <= names


@pytest.mark.slow
def test_tf_idf_documents_add_up_across_partitions(client):
    """Each row is one document, whichever partition holds it."""
    frame = pd.DataFrame({"p": ["a", "a", "b", "a"], "q": ["a", "c", "b", "b"]})
    ddf = split(frame, [1, 2, 1])

    fitted = StringLookupTransformer(
        output_mode="tf_idf", shared_vocabulary=True, engine="arrow"
    ).fit(ddf)

    # Terms a, b, c appear in 3, 2 and 1 of the 4 rows.
    weights = np.log(1 + 4 / (1 + np.array([3.0, 2.0, 1.0]))).astype(np.float32)
    oov = np.float32(weights.astype(np.float64).mean())
    assert fitted.vocabularies_ == [["a", "b", "c"]]
    np.testing.assert_array_equal(fitted.idf_weights_[0], [oov, *weights])


@pytest.mark.slow
def test_int_transform_is_a_lazy_frame_with_the_same_index(client):
    """int mode gives a Dask DataFrame: same index and partitions, named columns."""
    lookup = StringLookupTransformer(engine="arrow").fit(FRAME)
    ddf = split(FRAME, SIZES)

    out = lookup.transform(ddf)

    assert isinstance(out, dd.DataFrame)
    assert out.npartitions == ddf.npartitions
    assert list(out.columns) == ["x", "y", "z"]
    result = out.compute()
    pd.testing.assert_index_equal(result.index, FRAME.index)
    assert (result.dtypes == np.int64).all()
    np.testing.assert_array_equal(result.to_numpy(), lookup.transform(FRAME))


@pytest.mark.slow
def test_invert_transform_gives_terms(client):
    """invert=True maps index columns of a Dask DataFrame back to terms."""
    lookup = StringLookupTransformer(invert=True, engine="arrow").fit(FRAME)
    indices = pd.DataFrame(
        {"x": [0, 1, 2, 99], "y": [3, 2, 1, 0], "z": [1, 1, 1, 1]},
        index=[10, 11, 12, 13],
    )

    out = lookup.transform(dd.from_pandas(indices, npartitions=2))

    result = out.compute()
    assert all(dtype == np.dtype(object) for dtype in result.dtypes)
    pd.testing.assert_index_equal(result.index, indices.index)
    np.testing.assert_array_equal(result.to_numpy(), lookup.transform(indices))


@pytest.mark.slow
@pytest.mark.parametrize(
    ("mode", "sparse"),
    [("one_hot", False), ("multi_hot", False), ("count", True), ("tf_idf", False)],
    ids=["one_hot", "multi_hot", "count_sparse", "tf_idf"],
)
def test_encoded_transform_is_a_lazy_array(client, mode, sparse):
    """Other modes give a Dask Array as wide as get_feature_names_out."""
    lookup = StringLookupTransformer(output_mode=mode, sparse=sparse, engine="arrow")
    lookup.fit(FRAME)

    out = lookup.transform(split(FRAME, SIZES))

    assert isinstance(out, da.Array)
    assert out.shape[1] == len(lookup.get_feature_names_out())
    result = out.compute()
    assert hasattr(result, "tocsr") is sparse
    want = lookup.transform(FRAME)
    assert result.dtype == want.dtype
    np.testing.assert_array_equal(dense(result), dense(want))


@pytest.mark.slow
@pytest.mark.parametrize("engine", ["arrow", "keras"], ids=["arrow", "keras"])
def test_engines_look_up_on_the_workers(client, engine):
    """Both engines run in the worker processes and agree with the pandas path."""
    params = {"num_oov_indices": 2, "mask_token": "a"}
    lookup = StringLookupTransformer(engine=engine, **params).fit(split(FRAME, SIZES))
    reference = StringLookupTransformer(engine="arrow", **params).fit(FRAME)

    with distributed.get_task_stream(client) as stream:
        result = lookup.transform(split(NEW, [2, 1])).compute()

    np.testing.assert_array_equal(result.to_numpy(), reference.transform(NEW))
    assert {task["worker"] for task in stream.data} <= set(
        client.scheduler_info()["workers"]
    )
    assert stream.data


@pytest.mark.slow
def test_transform_keeps_the_fit_of_its_call(client):
    """Refitting after transform does not change the lazy result."""
    lookup = StringLookupTransformer(engine="arrow").fit(FRAME)
    want = lookup.transform(FRAME)
    out = lookup.transform(split(FRAME, SIZES))

    lookup.fit(FRAME[["z", "y", "x"]].set_axis(["x", "y", "z"], axis=1))

    np.testing.assert_array_equal(computed(out), want)


@pytest.mark.slow
def test_given_vocabulary_needs_no_pass_over_the_data(client):
    """A given vocabulary and weights are taken as the pandas path takes them."""
    params = {
        "vocabulary": {"x": ["t0", "t1"], "y": ["a"], "z": ["", "t2"]},
        "idf_weights": {"x": [0.5, 0.25], "y": [1.0], "z": [2.0, 3.0]},
        "output_mode": "tf_idf",
        "engine": "arrow",
    }
    expected = StringLookupTransformer(**params).fit(FRAME)

    with distributed.get_task_stream(client) as stream:
        fitted = StringLookupTransformer(**params).fit(split(FRAME, SIZES))

    assert stream.data == []
    assert_same_fit(fitted, expected)


@pytest.mark.slow
def test_dask_array_fits_and_transforms_like_numpy(client):
    """A 2-D Dask Array (even chunked by column) acts as its NumPy array."""
    values = FRAME.fillna("none").to_numpy()
    X = da.from_array(values, chunks=(70, 2))
    expected = StringLookupTransformer(engine="arrow", max_tokens=12).fit(values)

    fitted = StringLookupTransformer(engine="arrow", max_tokens=12).fit(X)
    out = fitted.transform(X)

    assert fitted.vocabularies_ == expected.vocabularies_
    assert fitted.n_features_in_ == 3
    assert "feature_names_in_" not in fitted.__dict__
    assert out.chunks == (X.chunks[0], (3,))
    np.testing.assert_array_equal(out.compute(), expected.transform(values))


@pytest.mark.slow
def test_missing_cells_raise_on_the_worker_with_handle_missing_error(client):
    """handle_missing='error' names the column, as on the pandas path."""
    frame = pd.DataFrame({"x": ["a", "b", "c", "d"], "y": ["a", None, "c", "d"]})
    lookup = StringLookupTransformer(handle_missing="error", engine="arrow")
    message = re.escape("column 'y' has 1 missing cells (None, NaN or pd.NA)")

    with pytest.raises(ValueError, match=message):
        lookup.fit(split(frame, [1, 3]))


@pytest.mark.slow
def test_failed_fit_leaves_the_transformer_unfitted(client):
    """As on pandas: no vocabulary and no input attributes after an error."""
    lookup = StringLookupTransformer(engine="arrow", mask_token="m")
    lookup.fit(FRAME)
    frame = pd.DataFrame({"x": ["m", "m"], "y": ["m", None]})

    with pytest.raises(ValueError, match="column 'x' has no term to learn"):
        lookup.fit(split(frame, [1, 1]))

    assert not {"vocabularies_", "n_features_in_", "feature_names_in_"} & set(
        lookup.__dict__
    )
    with pytest.raises(NotFittedError, match="is not fitted yet"):
        lookup.transform(split(frame, [1, 1]))


@pytest.mark.slow
def test_unseen_terms_raise_at_compute_with_no_oov_indices(client):
    """num_oov_indices=0 raises the pandas path's error when computed."""
    lookup = StringLookupTransformer(num_oov_indices=0, engine="arrow")
    lookup.fit(pd.DataFrame({"x": ["a", "b"]}))
    out = lookup.transform(dd.from_pandas(pd.DataFrame({"x": ["a", "c"]}), 1))

    with pytest.raises(ValueError, match=re.escape("such as ['c']")):
        out.compute()


def test_all_empty_partitions_raise_the_zero_sample_error():
    """No rows at all fails as a 0-row pandas DataFrame fails."""
    ddf = split(FRAME.iloc[:0], [0, 0])
    message = re.escape("Found array with 0 sample(s) (shape=(0, 3))")

    with pytest.raises(ValueError, match=message):
        StringLookupTransformer(engine="arrow").fit(ddf)


def test_columns_that_cannot_hold_text_fail_before_computing():
    """Dtypes are checked on the metadata, before any partition is read."""
    frame = pd.DataFrame({"when": pd.to_datetime(["2024-01-01", "2024-01-02"])})
    message = re.escape("column 'when' has dtype datetime64")

    with pytest.raises(TypeError, match=message):
        StringLookupTransformer(engine="arrow").fit(dd.from_pandas(frame, 1))


@pytest.mark.parametrize(
    ("make", "error", "message"),
    [
        (
            lambda: dd.from_pandas(FRAME, 2)["x"],
            TypeError,
            "X must be a Dask DataFrame or a 2-D Dask Array. Got Series instead",
        ),
        (
            lambda: da.from_array(np.array(["a", "b"], dtype=object), chunks=1),
            ValueError,
            "X must be 2-D, one column per feature. Got a 1-D Dask Array instead",
        ),
    ],
    ids=["series", "1d_array"],
)
def test_other_collections_are_refused(make, error, message):
    """Only Dask DataFrames and 2-D Dask Arrays are taken."""
    with pytest.raises(error, match=re.escape(message)):
        StringLookupTransformer(engine="arrow").fit(make())


def test_transform_checks_the_columns_before_computing():
    """The feature-count and feature-name checks are scikit-learn's."""
    lookup = StringLookupTransformer(engine="arrow").fit(FRAME.to_numpy())
    two_columns = da.from_array(FRAME[["x", "y"]].to_numpy(), chunks=(100, 2))
    message = re.escape(
        "X has 2 features, but StringLookupTransformer is expecting 3 features"
    )

    with pytest.raises(ValueError, match=message):
        lookup.transform(two_columns)

    lookup.fit(FRAME)
    renamed = dd.from_pandas(FRAME.set_axis(["x", "y", "w"], axis=1), 1)
    with pytest.raises(ValueError, match="The feature names should match"):
        lookup.transform(renamed)


def test_partial_fit_counts_dask_partitions():
    """partial_fit on Dask DataFrames adds up as on pandas chunks."""
    first, second = FRAME.iloc[:300], FRAME.iloc[300:]
    lookup = StringLookupTransformer(engine="arrow", output_mode="tf_idf")

    lookup.partial_fit(dd.from_pandas(first, 3))
    lookup.partial_fit(dd.from_pandas(second, 2))

    expected = StringLookupTransformer(engine="arrow", output_mode="tf_idf")
    assert_same_fit(lookup, expected.fit(FRAME))


@pytest.mark.slow
def test_importing_the_package_does_not_import_dask(run_python):
    """Dask stays an optional dependency."""
    code = (
        "import sys, pandas as pd, skstringlookup\n"
        "t = skstringlookup.StringLookupTransformer(engine='arrow')\n"
        "t.fit_transform(pd.DataFrame({'x': ['a', 'b']}))\n"
        "print(sorted(m for m in sys.modules if m.partition('.')[0] == 'dask'))\n"
    )

    assert run_python(code).strip() == "[]"
