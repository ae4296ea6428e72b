"""Export to and import from the Keras ``StringLookup`` layer.

Run under both Keras versions: as is (Keras 3) and with
``TF_USE_LEGACY_KERAS=1`` (Keras 2, tf_keras).
"""

import re

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from sklearn.exceptions import NotFittedError

from skstringlookup import StringLookupTransformer
from skstringlookup._keras_io import from_keras_layer, to_keras_layer

tf = pytest.importorskip("tensorflow")
keras = tf.keras
KERAS2 = keras.layers.StringLookup.__module__.startswith("tf_keras")

# Terms that Keras' line-based vocabulary asset would corrupt, and others
# that are easy to lose: all survive the layer's JSON config.
ODD_TERMS = [
    "",
    "a\rb",
    "x\ny",
    "c\u2028d",
    "e\x85f",
    "g\x0bh",
    "p\x1cq",
    "a\x00b",
    "\x00z",
    "é",
    "e\u0301",
    "日本",
    "🙂",
    " pad ",
]

X_TWO = pd.DataFrame(
    {
        "pet": ["cat", "dog", "cat", "", "a\rb", "fish", "dog", "cat", "é"],
        "city": ["Oslo", "Rome", "Oslo", "Rome", "Lima", "Oslo", "c\u2028d", "x", "y"],
    }
)
X_NEW = pd.DataFrame(
    {
        "pet": ["cat", "lion", "", "é", "a\rb", "[MASK]", "e\u0301", "dog", "zz"],
        "city": ["Lima", "Oslo", "Kyiv", "c\u2028d", "y", "[MASK]", "Rome", "q", "x"],
    }
)

SETTINGS = {
    "default": {},
    "mask": {"mask_token": "[MASK]"},
    "three_oov": {"num_oov_indices": 3},
    "mask_three_oov": {"mask_token": "[MASK]", "num_oov_indices": 3},
    "no_oov": {"num_oov_indices": 0},
    "padded": {"max_tokens": 12, "pad_to_max_tokens": True},
    "sparse": {"sparse": True},
}
MODES = ["int", "one_hot", "multi_hot", "count", "tf_idf"]


def _dense(out):
    if isinstance(out, tf.SparseTensor):
        out = tf.sparse.to_dense(out)
    return out.toarray() if sp.issparse(out) else np.asarray(out)


def _column(frame, name):
    return frame[[name]].to_numpy(dtype=object)


def _block(est, X, j):
    """Columns of `transform(X)` that belong to input column `j`."""
    out = _dense(est.transform(X))
    if est.output_mode == "int":
        return out[:, [j]]
    prefix = f"{est.feature_names_in_[j]}_"
    names = est.get_feature_names_out()
    return out[:, [i for i, name in enumerate(names) if name.startswith(prefix)]]


def _save_and_load(layer, tmp_path, n_columns=1):
    inputs = keras.Input(shape=(n_columns,), dtype="string")
    model = keras.Model(inputs, layer(inputs))
    path = tmp_path / "model.keras"
    model.save(path)
    return model, keras.models.load_model(path)


def _configs():
    for mode in MODES:
        for name, params in SETTINGS.items():
            if mode == "int" and params.get("sparse"):
                continue
            if mode == "tf_idf" and params.get("sparse") and not KERAS2:
                continue
            yield pytest.param(mode, params, id=f"{mode}-{name}")


@pytest.mark.parametrize(("mode", "params"), list(_configs()))
def test_to_keras_layer_matches_transform(mode, params):
    """Each column's layer gives that column's part of transform."""
    est = StringLookupTransformer(output_mode=mode, engine="arrow", **params)
    est.fit(X_TWO)
    X = X_NEW if params.get("num_oov_indices") != 0 else X_TWO

    for j, name in enumerate(["pet", "city"]):
        layer = est.to_keras_layer(name)
        out = _dense(layer(_column(X, name)))

        np.testing.assert_array_equal(out, _block(est, X, j))


def test_to_keras_layer_int_values():
    """The exported layer gives the documented indices, column by position."""
    X = pd.DataFrame({"pet": ["cat", "dog", "bird", "cat", "fish", "dog"]})
    est = StringLookupTransformer(engine="arrow").fit(X)

    layer = est.to_keras_layer(0)

    assert layer.get_vocabulary() == ["[UNK]", "dog", "cat", "fish", "bird"]
    out = layer(np.array([["cat"], ["dog"], ["bird"], ["lion"]], dtype=object))
    np.testing.assert_array_equal(np.asarray(out), [[2], [1], [4], [0]])


def test_to_keras_layer_copies_settings():
    """The layer is configured with every setting of the transformer."""
    est = StringLookupTransformer(
        output_mode="count",
        mask_token="<m>",
        oov_token="<?>",
        num_oov_indices=2,
        max_tokens=9,
        pad_to_max_tokens=True,
        sparse=True,
        engine="arrow",
    ).fit(pd.DataFrame({"c": ["a", "b", "a"]}))

    layer = est.to_keras_layer()

    assert (layer.output_mode, layer.mask_token, layer.oov_token) == (
        "count",
        "<m>",
        "<?>",
    )
    assert (layer.num_oov_indices, layer.max_tokens) == (2, 9)
    assert (layer.pad_to_max_tokens, layer.sparse, layer.invert) == (True, True, False)
    assert layer.get_vocabulary(include_special_tokens=False) == ["a", "b"]


@pytest.mark.parametrize("mode", ["int", "multi_hot", "count"], ids=str)
def test_to_keras_layer_shared_vocabulary(mode):
    """A shared vocabulary's layer applied to every column gives transform."""
    est = StringLookupTransformer(
        output_mode=mode, shared_vocabulary=True, engine="arrow"
    ).fit(X_TWO)

    layer = est.to_keras_layer()
    out = _dense(layer(X_NEW.to_numpy(dtype=object)))

    np.testing.assert_array_equal(out, _dense(est.transform(X_NEW)))


def test_to_keras_layer_shared_vocabulary_one_hot():
    """With a shared vocabulary, one_hot gives one block per column."""
    est = StringLookupTransformer(
        output_mode="one_hot", shared_vocabulary=True, engine="arrow"
    ).fit(X_TWO)
    layer = est.to_keras_layer("city")

    if KERAS2:
        # Keras 2 one-hot encodes one column at a time.
        blocks = [_dense(layer(_column(X_NEW, name))) for name in X_NEW.columns]
        out = np.hstack(blocks)
    else:
        out = _dense(layer(X_NEW.to_numpy(dtype=object))).reshape(len(X_NEW), -1)

    np.testing.assert_array_equal(out, est.transform(X_NEW))


def test_to_keras_layer_keeps_given_oov_weight():
    """tf_idf weights reach the layer with their OOV weight, not an average."""
    est = StringLookupTransformer(
        output_mode="tf_idf",
        vocabulary=["[UNK]", "a", "b"],
        idf_weights=[0.9, 0.25, 0.75],
        engine="arrow",
    ).fit(pd.DataFrame({"c": ["a"]}))

    layer = est.to_keras_layer()
    out = np.asarray(layer(np.array([["z"], ["a"], ["b"]], dtype=object)))

    np.testing.assert_array_equal(
        layer.idf_weights_const.numpy(), np.float32([0.9, 0.25, 0.75])
    )
    np.testing.assert_array_equal(
        out, np.float32([[0.9, 0, 0], [0, 0.25, 0], [0, 0, 0.75]])
    )


def test_to_keras_layer_learned_idf_weights():
    """Learned tf_idf weights are exported exactly, padding included."""
    est = StringLookupTransformer(
        output_mode="tf_idf",
        max_tokens=5,
        pad_to_max_tokens=True,
        engine="arrow",
    ).fit(pd.DataFrame({"c": ["a", "a", "b"]}))

    layer = est.to_keras_layer()

    ln2, ln25 = np.log(2.0), np.log(2.5)
    np.testing.assert_array_equal(
        layer.idf_weights_const.numpy(),
        np.float32([np.float32((ln2 + ln25) / 2), ln2, ln25, 0, 0]),
    )


def test_to_keras_layer_invert():
    """An inverting transformer exports an inverting layer."""
    est = StringLookupTransformer(
        invert=True, mask_token="", vocabulary=["a", "é"], engine="arrow"
    ).fit([["a"]])

    layer = est.to_keras_layer()
    out = np.asarray(layer(np.array([[0], [1], [2], [3], [99]])))

    terms = [[cell.decode("utf-8")] for cell in out.ravel()]
    assert terms == [[""], ["[UNK]"], ["a"], ["é"], ["[UNK]"]]
    expected = est.transform(np.array([[0], [1], [2], [3], [99]]))
    assert terms == expected.tolist()


@pytest.mark.parametrize(
    ("mode", "params"),
    [
        pytest.param("int", {}, id="int"),
        pytest.param("int", {"mask_token": "[MASK]", "num_oov_indices": 3}, id="mask"),
        pytest.param("multi_hot", {"mask_token": "[MASK]"}, id="multi_hot"),
        pytest.param("tf_idf", {}, id="tf_idf"),
    ],
)
def test_keras_model_round_trip_keeps_odd_terms(mode, params, tmp_path):
    """A .keras model holding the layer reloads with the same lookups."""
    X = np.array([[t] for t in [*ODD_TERMS, "a\rb", ""]], dtype=object)
    est = StringLookupTransformer(output_mode=mode, engine="arrow", **params).fit(X)
    queries = np.array([[t] for t in [*ODD_TERMS, "zz", "[MASK]", "a", "b"]], object)

    model, loaded = _save_and_load(est.to_keras_layer(), tmp_path)

    expected = _dense(est.transform(queries))
    np.testing.assert_array_equal(_dense(model(queries)), expected)
    np.testing.assert_array_equal(_dense(loaded(queries)), expected)


def test_to_keras_layer_refuses_trailing_nul():
    """A term ending in NUL, which a .keras file cannot hold, is refused."""
    X = pd.DataFrame({"a": ["x", "y"], "b": ["ab\x00", "ab"]})
    est = StringLookupTransformer(engine="arrow").fit(X)

    with pytest.raises(ValueError, match=re.escape("Got 'ab\\x00' at position")):
        est.to_keras_layer("b")
    with pytest.raises(ValueError, match="column 'b'.*saveable=False"):
        est.to_keras_layer("b")
    assert est.to_keras_layer("a").get_vocabulary() == ["[UNK]", "y", "x"]


def test_trailing_nul_is_lost_by_a_keras3_reload(tmp_path):
    """Why the check exists: Keras 3 reloads 'ab\\x00' as 'ab' (and OOV)."""
    if KERAS2:
        pytest.skip("Keras 2 cannot save an array vocabulary at all")
    est = StringLookupTransformer(engine="arrow").fit([["ab\x00"], ["ab\x00"], ["zz"]])
    queries = np.array([["ab\x00"], ["zz"], ["ab"]], dtype=object)

    model, loaded = _save_and_load(to_keras_layer(est, saveable=False), tmp_path)

    np.testing.assert_array_equal(np.asarray(model(queries)), [[1], [2], [0]])
    np.testing.assert_array_equal(est.transform(queries), [[1], [2], [0]])
    np.testing.assert_array_equal(np.asarray(loaded(queries)), [[0], [2], [1]])


def test_unsaveable_layer_is_exact_in_memory(tmp_path):
    """saveable=False keeps a trailing-NUL term distinct in memory."""
    est = StringLookupTransformer(engine="arrow").fit([["ab\x00"], ["ab"], ["ab"]])
    queries = np.array([["ab\x00"], ["ab"], ["a"]], dtype=object)

    layer = to_keras_layer(est, saveable=False)

    np.testing.assert_array_equal(np.asarray(layer(queries)), [[2], [1], [0]])
    np.testing.assert_array_equal(est.transform(queries), [[2], [1], [0]])
    if KERAS2:
        with pytest.raises(ValueError, match="truth value of an array"):
            _save_and_load(layer, tmp_path)


def test_to_keras_layer_sparse_tf_idf_on_keras3():
    """Keras 3 cannot compute sparse tf-idf, so the export says so."""
    est = StringLookupTransformer(
        output_mode="tf_idf", sparse=True, engine="arrow"
    ).fit([["a"], ["b"], ["a"]])

    if KERAS2:
        out = _dense(est.to_keras_layer()(np.array([["a"], ["z"]], dtype=object)))
        np.testing.assert_array_equal(out, est.transform([["a"], ["z"]]).toarray())
        return
    with pytest.raises(ValueError, match="sparse must be False .* Got sparse=True"):
        est.to_keras_layer()


def test_to_keras_layer_needs_column():
    """With several vocabularies the column must be named."""
    est = StringLookupTransformer(engine="arrow").fit(X_TWO)

    with pytest.raises(ValueError, match="column must name one of the 2 columns"):
        est.to_keras_layer()


@pytest.mark.parametrize(
    ("column", "error", "match"),
    [
        pytest.param("dog", ValueError, "column must be a column name", id="name"),
        pytest.param(
            2,
            ValueError,
            r"position in \[0, 1\] or a column name. Got 2 ",
            id="position",
        ),
        pytest.param(
            -1,
            ValueError,
            r"position in \[0, 1\] or a column name. Got -1 ",
            id="negative",
        ),
        pytest.param(True, TypeError, "Got True \\(bool\\)", id="bool"),
        pytest.param(1.0, TypeError, "Got 1.0 \\(float\\)", id="float"),
    ],
)
def test_to_keras_layer_bad_column(column, error, match):
    """An unknown column is refused with the parameter named."""
    est = StringLookupTransformer(engine="arrow").fit(X_TWO)

    with pytest.raises(error, match=match):
        est.to_keras_layer(column)


def test_to_keras_layer_name_without_names():
    """A name is refused when fit saw no column names."""
    est = StringLookupTransformer(engine="arrow").fit(np.array([["a"], ["b"]]))

    with pytest.raises(ValueError, match="\\(no column names\\) or a position"):
        est.to_keras_layer("a")


def test_to_keras_layer_checks_fitted_state():
    """Parameters changed after fit are checked against the fitted state."""
    est = StringLookupTransformer(engine="arrow").fit([["a"], ["b"]])
    est.set_params(output_mode="tf_idf")

    with pytest.raises(ValueError, match="needs idf_weights_, which this"):
        est.to_keras_layer()


def test_to_keras_layer_needs_fit():
    """An unfitted transformer cannot be exported."""
    with pytest.raises(NotFittedError, match="is not fitted yet"):
        StringLookupTransformer().to_keras_layer()


# from_keras_layer ------------------------------------------------------------


def _adapted(data, **params):
    layer = keras.layers.StringLookup(**params)
    layer.adapt(data)
    return layer


@pytest.mark.parametrize(
    "params",
    [
        pytest.param({}, id="int"),
        pytest.param({"mask_token": "", "num_oov_indices": 2}, id="int-mask"),
        pytest.param({"output_mode": "one_hot", "mask_token": "<m>"}, id="one_hot"),
        pytest.param({"output_mode": "multi_hot", "max_tokens": 4}, id="multi_hot"),
        pytest.param(
            {"output_mode": "count", "max_tokens": 6, "pad_to_max_tokens": True},
            id="count-padded",
        ),
        pytest.param({"output_mode": "tf_idf"}, id="tf_idf"),
    ],
)
def test_from_keras_layer_matches_adapted_layer(params):
    """A transformer built from an adapted layer gives the layer's output."""
    data = tf.constant([["d"], ["a"], ["c"], ["d"], ["é"], ["d"], ["c"], ["<m>"]])
    layer = _adapted(data, **params)
    queries = np.array([["a"], ["c"], ["zz"], ["é"], ["d"], ["<m>"]], dtype=object)

    est = StringLookupTransformer.from_keras_layer(layer, engine="arrow")

    expected = _dense(layer(queries))
    np.testing.assert_allclose(_dense(est.transform(queries)), expected, rtol=0)
    assert est.n_features_in_ == 1


def test_from_keras_layer_state_and_params():
    """The fitted state and the parameters come from the layer."""
    layer = _adapted(
        tf.ragged.constant([["a", "a", "b"], ["b", "c"], ["a"]]),
        output_mode="tf_idf",
        num_oov_indices=2,
        oov_token="<?>",
        mask_token="<m>",
    )

    est = StringLookupTransformer.from_keras_layer(layer, handle_missing="mask")

    assert est.vocabularies_ == [["a", "b", "c"]]
    np.testing.assert_array_equal(est.idf_weights_[0], layer.idf_weights_const.numpy())
    np.testing.assert_allclose(
        est.idf_weights_[0][2:], [0.6931472, 0.6931472, 0.91629076], rtol=1e-6
    )
    params = est.get_params()
    assert {k: params[k] for k in ("output_mode", "num_oov_indices")} == {
        "output_mode": "tf_idf",
        "num_oov_indices": 2,
    }
    assert (params["oov_token"], params["mask_token"]) == ("<?>", "<m>")
    assert (params["handle_missing"], params["vocabulary"]) == ("mask", None)
    assert not hasattr(est, "feature_names_in_")


def test_from_keras_layer_vocabulary_file(tmp_path):
    """A layer reading a vocabulary file converts like any other."""
    path = tmp_path / "vocabulary.txt"
    path.write_bytes("b\na\x00\né\n".encode())
    layer = keras.layers.StringLookup(vocabulary=str(path), mask_token="")

    est = StringLookupTransformer.from_keras_layer(layer, engine="arrow")

    assert est.vocabularies_ == [["b", "a\x00", "é"]]
    queries = np.array([["a\x00"], [""], ["é"], ["a"]], dtype=object)
    np.testing.assert_array_equal(est.transform(queries), [[3], [0], [4], [1]])
    np.testing.assert_array_equal(np.asarray(layer(queries)), [[3], [0], [4], [1]])


def test_from_keras_layer_keeps_trailing_nul():
    """Terms come from the table, so 'ab\\x00' stays apart from 'ab'."""
    layer = keras.layers.StringLookup(
        vocabulary=np.array(["ab\x00", "ab"], dtype=object)
    )

    est = StringLookupTransformer.from_keras_layer(layer, engine="arrow")

    assert layer.get_vocabulary() == ["[UNK]", "ab", "ab"]
    assert est.vocabularies_ == [["ab\x00", "ab"]]


def test_from_keras_layer_invert():
    """An inverting layer gives an inverting transformer."""
    layer = keras.layers.StringLookup(vocabulary=["x", "y"], invert=True)

    est = StringLookupTransformer.from_keras_layer(layer, engine="arrow")

    assert est.invert is True
    assert est.transform([[2], [0], [1]]).tolist() == [["y"], ["[UNK]"], ["x"]]


def test_from_keras_layer_without_oov_token():
    """A layer without OOV token gets the default one, or the one given."""
    layer = keras.layers.StringLookup(vocabulary=["a", "[UNK]"], oov_token=None)

    with pytest.raises(ValueError, match=re.escape("holds the OOV token '[UNK]'")):
        StringLookupTransformer.from_keras_layer(layer)
    est = StringLookupTransformer.from_keras_layer(layer, oov_token="<?>")

    assert est.vocabularies_ == [["a", "[UNK]"]]
    assert est.oov_token == "<?>"


@pytest.mark.parametrize("mode", MODES, ids=str)
def test_layer_transformer_layer_round_trip(mode):
    """to_keras_layer after from_keras_layer gives back the same layer."""
    est = StringLookupTransformer(
        output_mode=mode, mask_token="<m>", engine="arrow"
    ).fit(X_TWO[["pet"]])

    again = StringLookupTransformer.from_keras_layer(
        est.to_keras_layer(), engine="arrow"
    )

    assert again.vocabularies_ == est.vocabularies_
    if mode == "tf_idf":
        np.testing.assert_array_equal(again.idf_weights_[0], est.idf_weights_[0])
    params, expected = again.get_params(), est.get_params()
    assert params == expected


def test_from_keras_layer_refuses_other_objects():
    """Only StringLookup layers convert."""
    with pytest.raises(TypeError, match="layer must be a Keras StringLookup"):
        StringLookupTransformer.from_keras_layer(keras.layers.IntegerLookup())
    with pytest.raises(TypeError, match="Got builtins.str instead"):
        StringLookupTransformer.from_keras_layer("layer")


def test_from_keras_layer_refuses_empty_layer():
    """A layer with no vocabulary has nothing to convert."""
    layer = keras.layers.StringLookup(name="empty")

    with pytest.raises(ValueError, match="layer 'empty' must be adapted"):
        StringLookupTransformer.from_keras_layer(layer)


@pytest.mark.parametrize(
    ("params", "match"),
    [
        pytest.param(
            {"output_mode": "one_hot"},
            "output_mode must match the layer's setting \\('int'\\)",
            id="output_mode",
        ),
        pytest.param(
            {"num_oov_indices": 2},
            "num_oov_indices must match the layer's setting \\(1\\)",
            id="num_oov_indices",
        ),
        pytest.param({"vocabulary": ["a"]}, "vocabulary must be None", id="vocabulary"),
        pytest.param({"engine": "torch"}, "engine must be one of", id="engine"),
    ],
)
def test_from_keras_layer_bad_params(params, match):
    """Parameters that contradict the layer are refused."""
    layer = keras.layers.StringLookup(vocabulary=["a", "b"])

    with pytest.raises(ValueError, match=match):
        StringLookupTransformer.from_keras_layer(layer, **params)


def test_from_keras_layer_same_value_is_fine():
    """Repeating a layer setting with its own value is allowed."""
    layer = keras.layers.StringLookup(vocabulary=["a", "b"], output_mode="one_hot")

    est = StringLookupTransformer.from_keras_layer(
        layer, output_mode="one_hot", engine="arrow"
    )

    np.testing.assert_array_equal(est.transform([["b"]]), [[0, 0, 1]])


def test_from_keras_layer_refuses_mask_equal_to_oov():
    """Keras accepts mask_token == oov_token; the transformer does not."""
    layer = keras.layers.StringLookup(vocabulary=["a"], mask_token="[UNK]")

    with pytest.raises(ValueError, match="mask_token must differ from oov_token"):
        StringLookupTransformer.from_keras_layer(layer)


def test_from_keras_layer_refuses_salt():
    """A salted OOV hash cannot be reproduced."""
    if KERAS2:
        pytest.skip("Keras 2 has no salt")
    layer = keras.layers.StringLookup(vocabulary=["a"], num_oov_indices=2, salt=7)

    with pytest.raises(ValueError, match="salt=None.*Got salt=\\[7, 7\\]"):
        StringLookupTransformer.from_keras_layer(layer)


def test_from_keras_layer_direct_call():
    """The module function works with the class passed explicitly."""
    layer = keras.layers.StringLookup(vocabulary=["a", "b"])

    est = from_keras_layer(StringLookupTransformer, layer, engine="arrow")

    np.testing.assert_array_equal(est.transform([["b"], ["a"]]), [[2], [1]])
