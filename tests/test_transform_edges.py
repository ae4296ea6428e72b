"""Edges of transform and inverse_transform: empty batches, names, no TensorFlow."""

import warnings

import numpy as np
import pandas as pd
import pytest

from skstringlookup import StringLookupTransformer

FRAME = pd.DataFrame({"c": ["a", "b", "a"], "d": ["x", "y", "x"]})

MODES = [
    ({}, (0, 2), np.int64),
    ({"output_mode": "one_hot"}, (0, 6), np.int64),
    ({"output_mode": "count", "sparse": True}, (0, 6), np.int64),
    ({"output_mode": "tf_idf"}, (0, 6), np.float32),
    ({"shared_vocabulary": True, "output_mode": "multi_hot"}, (0, 5), np.int64),
]


@pytest.mark.parametrize(
    ("params", "shape", "dtype"),
    MODES,
    ids=["int", "one_hot", "count", "tf_idf", "shared"],
)
def test_empty_batch_gives_an_empty_output(engine, params, shape, dtype):
    """A batch of 0 rows gives 0 rows of the right width and dtype, as Keras does."""
    lookup = StringLookupTransformer(engine=engine, **params).fit(FRAME)

    out = lookup.transform(FRAME.iloc[:0])

    assert out.shape == shape
    assert out.dtype == dtype


def test_empty_batch_inverts_to_an_empty_output(engine):
    """invert=True on 0 rows of indices gives 0 rows of terms."""
    lookup = StringLookupTransformer(engine=engine, invert=True).fit(FRAME)
    empty = pd.DataFrame({"c": pd.Series([], dtype="int64"), "d": []}, dtype="int64")

    out = lookup.transform(empty)

    assert out.shape == (0, 2)
    assert out.dtype == object


def test_fit_still_refuses_an_empty_frame():
    """Learning from nothing stays an error, with scikit-learn's message."""
    with pytest.raises(ValueError, match=r"0 sample\(s\).*minimum of 1"):
        StringLookupTransformer(engine="arrow").fit(FRAME.iloc[:0])


def test_inverse_transform_of_transform_output_does_not_warn(engine):
    """transform's arrays carry no names; inverting them raises no name warning."""
    lookup = StringLookupTransformer(engine=engine).fit(FRAME)

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        terms = lookup.inverse_transform(lookup.transform(FRAME))

    assert terms.tolist() == FRAME.to_numpy().tolist()


def test_inverse_transform_checks_the_number_of_columns():
    """Indices for the wrong number of columns get scikit-learn's feature error."""
    lookup = StringLookupTransformer(engine="arrow").fit(FRAME)

    with pytest.raises(ValueError, match="X has 3 features, but .* expecting 2"):
        lookup.inverse_transform([[1, 2, 1]])


def test_inverse_transform_errors_name_the_fitted_column():
    """Errors about nameless indices name the column the transformer was fitted on."""
    lookup = StringLookupTransformer(engine="arrow").fit(FRAME)

    with pytest.raises(ValueError, match="column 'd' holds the non-integer index"):
        lookup.inverse_transform(np.array([[1.0, 1.5]]))


def test_keras_engine_without_tensorflow_says_to_use_arrow(monkeypatch):
    """engine='keras' where TensorFlow cannot be imported: an error naming the fix."""
    import builtins

    real_import = builtins.__import__

    def blocked(name, *args, **kwargs):
        if name == "tensorflow" or name.startswith("tensorflow."):
            msg = "No module named 'tensorflow'"
            raise ImportError(msg)
        return real_import(name, *args, **kwargs)

    lookup = StringLookupTransformer(engine="keras").fit(FRAME)
    monkeypatch.setattr(builtins, "__import__", blocked)

    with pytest.raises(ImportError, match=r"engine='keras' needs TensorFlow.*'arrow'"):
        lookup.transform(FRAME)
