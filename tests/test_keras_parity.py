"""The transformer learns and outputs exactly what the Keras layer does.

Vocabularies are compared with ``adapt`` (each row one document, per column or
shared), tf-idf weights with the adapted layer's, and every output mode with
the layer's own output, for a layer built from the fitted vocabulary and for
an adapted layer. Runs under Keras 3, and under Keras 2 with
``TF_USE_LEGACY_KERAS=1``.
"""

import math

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
import tensorflow as tf
from hypothesis import given, settings
from strategies import HYPOTHESIS, frame_samples, params, text_of

from skstringlookup import StringLookupTransformer

KERAS2 = tf.keras.layers.StringLookup.__module__.startswith("tf_keras")
MODES = ["int", "one_hot", "multi_hot", "count", "tf_idf"]
ENGINES = ["arrow", "keras"]


# Helpers ---------------------------------------------------------------------


def _objects(rows):
    """A NumPy object array of str, which keeps trailing NUL characters."""
    rows = list(rows)
    if rows and isinstance(rows[0], list):
        out = np.empty((len(rows), len(rows[0])), dtype=object)
        for i, row in enumerate(rows):
            out[i, :] = row
        return out
    out = np.empty(len(rows), dtype=object)
    out[:] = rows
    return out


def _frame(columns):
    """A DataFrame of object columns named after the keys of `columns`."""
    return pd.DataFrame({n: pd.Series(c, dtype=object) for n, c in columns.items()})


def _rows(columns, replace_missing):
    """The columns as rows of text, missing cells replaced by a term."""
    texts = [[text_of(c) for c in cells] for cells in columns]
    return [
        [replace_missing if t is None else t for t in row]
        for row in zip(*texts, strict=True)
    ]


def _adapted(rows, **kwargs):
    """A layer adapted on `rows`, each row one document.

    Keras 3 adapts a single column as a 1-D array and several as a 2-D array.
    Keras 2 cuts arrays into batches of 32 rows; rows of a 2-D array stay
    documents, but its tf-idf adapt needs a ragged tensor.
    """
    layer = tf.keras.layers.StringLookup(**kwargs)
    data = _objects(rows)
    if KERAS2:
        if kwargs.get("output_mode") == "tf_idf" and data.shape[1] > 1:
            data = tf.ragged.constant(rows)
    elif data.shape[1] == 1:
        data = data[:, 0]
    layer.adapt(data)
    return layer


def _layer_kwargs(lookup):
    p = lookup.get_params()
    return {
        "max_tokens": p["max_tokens"],
        "num_oov_indices": p["num_oov_indices"],
        "mask_token": p["mask_token"],
        "oov_token": p["oov_token"],
        "output_mode": p["output_mode"],
        "pad_to_max_tokens": p["pad_to_max_tokens"],
        "invert": p["invert"],
    }


def _vocabulary_layer(lookup, b):
    """A layer built from block `b` of the fitted vocabulary (and weights)."""
    kwargs = _layer_kwargs(lookup)
    terms = lookup.vocabularies_[b]
    if kwargs["output_mode"] == "tf_idf":
        # With the OOV prefix, Keras takes our OOV weights as they are.
        k = kwargs["num_oov_indices"]
        terms = [kwargs["oov_token"]] * k + terms
        kwargs["idf_weights"] = np.asarray(lookup.idf_weights_[b])
    return tf.keras.layers.StringLookup(vocabulary=_objects(terms), **kwargs)


def _token_start(kwargs):
    mask_slot = kwargs.get("mask_token") is not None and (
        kwargs.get("output_mode", "int") == "int"
    )
    return kwargs.get("num_oov_indices", 1) + int(mask_slot)


def _layer_positions(layer, terms, mode):
    """The output index of each term: the lookup, or the one non-zero column."""
    if mode == "int":
        return np.asarray(layer(_objects(terms))).tolist()
    out = np.asarray(layer(_objects(terms).reshape(-1, 1)))
    assert ((out != 0).sum(axis=1) == 1).all()
    return out.argmax(axis=1).tolist()


def _assert_vocabulary_equals_layer(terms, layer, kwargs):
    """`terms` is the layer's vocabulary, term by term and in order.

    ``get_vocabulary`` drops trailing NULs (numpy str arrays do), so the
    terms are also checked through the layer's own lookups, which keep them.
    """
    mode = kwargs.get("output_mode", "int")
    start = _token_start(kwargs)
    keras_terms = [str(t) for t in layer.get_vocabulary(include_special_tokens=False)]
    assert keras_terms == [t.rstrip("\x00") for t in terms]
    assert layer.vocabulary_size() == start + len(terms)
    positions = _layer_positions(layer, terms, mode)
    assert positions == list(range(start, start + len(terms)))


def _oov_stand_in(terms, mask, k):
    """An unseen term that Keras sends to the first OOV slot (bucket 0)."""
    for i in range(1_000):
        candidate = f"\x01missing{i}"
        if candidate in terms or candidate == mask:
            continue
        if k <= 1:
            return candidate
        bucket = tf.strings.to_hash_bucket_fast(_objects([candidate]), k)
        if int(bucket[0]) == 0:
            return candidate
    msg = f"no unseen term hashes to bucket 0 of {k}"
    raise AssertionError(msg)


def _missing_stand_in(lookup, b):
    """What Keras must see in place of a missing cell to output what we do."""
    p = lookup.get_params()
    if p["handle_missing"] == "mask":
        return p["mask_token"]
    return _oov_stand_in(lookup.vocabularies_[b], p["mask_token"], p["num_oov_indices"])


def _layer_output(layer, rows, mode):
    """The layer's output on `rows` (N, m), flattened to (N, width) for one_hot.

    Keras 3 gives one_hot (N, m, D); Keras 2 only takes rank 2 there, so
    each cell is encoded as its own row, which is the same thing.
    """
    data = _objects(rows)
    n, m = data.shape
    if mode == "one_hot" and m > 1:
        out = layer(data.reshape(-1, 1) if KERAS2 else data)
        return np.asarray(out).reshape(n, -1)
    return np.asarray(layer(data))


def _keras_transform(lookup, columns, layers=None):
    """The transform of `columns` (lists of cells) computed by Keras layers."""
    p = lookup.get_params()
    mode = p["output_mode"]
    n_blocks = len(lookup.vocabularies_)
    if layers is None:
        layers = [_vocabulary_layer(lookup, b) for b in range(n_blocks)]
    if p["shared_vocabulary"]:
        groups = [(layers[0], columns, 0)]
    else:
        groups = [(layers[j], [cells], j) for j, cells in enumerate(columns)]
    blocks = []
    for layer, block_columns, b in groups:
        rows = _rows(block_columns, _missing_stand_in(lookup, b))
        blocks.append(_layer_output(layer, rows, mode))
    return np.hstack(blocks)


def _keras_dtype(mode):
    """The dtype of the Keras layer's eager output in `mode`."""
    if mode == "tf_idf" or (KERAS2 and mode != "int"):
        return np.float32
    return np.int64


def _assert_output_equals(ours, keras, mode, *, ulp=0):
    """Our output equals the layer's: values, shape, and our documented dtype."""
    assert keras.dtype == _keras_dtype(mode)
    dense = ours.toarray() if sp.issparse(ours) else ours
    assert dense.dtype == (np.float32 if mode == "tf_idf" else np.int64)
    assert dense.shape == keras.shape
    if ulp:
        np.testing.assert_array_max_ulp(dense, keras, maxulp=ulp)
        assert ((dense == 0) == (keras == 0)).all()
    else:
        np.testing.assert_array_equal(dense, keras.astype(dense.dtype), strict=True)


# Learned vocabularies ---------------------------------------------------------

COLUMNS = {
    "pets": ["cat", "dog", "bird", "cat", "fish", "dog"],
    "ties_by_bytes": ["b", "B", "a", "A", "_", "1"],
    "ties_doc_order": ["a", "\u00e9", "B", "e", "a ", "Z", "c", "", "aa", "b"],
    "counts_then_bytes": ["x", "y", "y", "z", "z", "z", "a", "b", "b"],
    "no_normalisation": ["\u00e9", "e\u0301", "\u00e9"],
    "line_breaks": ["a\rb", "c\u2028d", "e\x85f", "", "", "a\rb", "a\nb", "\r\n"],
    "nul": ["\x00", "a\x00b", "\x00a", "a", "", "\x00", "a\x00b", "\x00\x00"],
    "special_tokens": ["[UNK]", "[UNK]", "x", "[MASK]", "", "y", "x", "[MASK]"],
    "emoji": ["\U0001f469\u200d\U0001f469\u200d\U0001f467", "\U0001f469", "\U0001f642"],
    "long": ["x" * 10_000, "y" * 5_000, "x" * 10_000, "\U0001f642" * 3_000],
}

ADAPT_PARAMS = {
    "default": {},
    "max_tokens": {"max_tokens": 3},
    "mask": {"mask_token": "[MASK]"},
    "empty_mask": {"mask_token": ""},
    "mask_max_tokens_int": {"mask_token": "", "max_tokens": 4},
    "mask_max_tokens_multi_hot": {
        "mask_token": "",
        "max_tokens": 4,
        "output_mode": "multi_hot",
    },
    "oov0_max_tokens": {"num_oov_indices": 0, "max_tokens": 2},
    "oov3_max_tokens": {"num_oov_indices": 3, "max_tokens": 6},
    "oov_token_x": {"oov_token": "x"},
    "oov_token_custom": {"oov_token": "[OOV]", "num_oov_indices": 2},
}


@pytest.mark.parametrize("name", list(COLUMNS), ids=list(COLUMNS))
@pytest.mark.parametrize("kwargs", ADAPT_PARAMS.values(), ids=list(ADAPT_PARAMS))
def test_vocabulary_equals_adapt(name, kwargs):
    """The vocabulary of one column is the one ``adapt`` learns from it."""
    cells = COLUMNS[name]
    lookup = StringLookupTransformer(engine="arrow", **kwargs)
    terms = lookup.fit(_frame({"c": cells})).vocabularies_[0]
    layer = _adapted([[c] for c in cells], **kwargs)
    _assert_vocabulary_equals_layer(terms, layer, kwargs)


def test_vocabulary_keeps_the_keras_tie_order():
    """Equal counts are ordered by UTF-8 bytes, descending, as in Keras."""
    lookup = StringLookupTransformer(engine="arrow")
    lookup.fit(_frame({"c": COLUMNS["ties_doc_order"]}))
    expected = ["\u00e9", "e", "c", "b", "aa", "a ", "a", "Z", "B", ""]
    assert lookup.vocabularies_ == [expected]


def test_trailing_nul_terms_match_adapt_through_lookups():
    """Keras learns "ab" and "ab\\x00" apart; only ``get_vocabulary`` merges them."""
    cells = ["ab\x00", "ab", "ab", "a\x00\x00", "a"]
    lookup = StringLookupTransformer(engine="arrow")
    terms = lookup.fit(_frame({"c": cells})).vocabularies_[0]
    assert terms == ["ab", "ab\x00", "a\x00\x00", "a"]

    layer = _adapted([[c] for c in cells])
    keras_terms = layer.get_vocabulary(include_special_tokens=False)
    assert [str(t) for t in keras_terms] == ["ab", "ab", "a", "a"]
    assert np.asarray(layer(_objects(terms))).tolist() == [1, 2, 3, 4]
    X = _frame({"c": ["ab\x00", "ab", "a\x00\x00", "a", "a\x00"]})
    for engine in ENGINES:
        out = lookup.set_params(engine=engine).transform(X)
        assert out[:, 0].tolist() == [2, 1, 3, 4, 0]
    assert np.asarray(layer(_objects(X["c"].tolist()))).tolist() == [2, 1, 3, 4, 0]


@pytest.mark.parametrize("mode", ["int", "multi_hot"], ids=["int", "multi_hot"])
def test_max_tokens_of_one_is_refused_as_keras_refuses_it(mode):
    """Keras needs ``max_tokens > 1`` even with no reserved slot; so does fit."""
    kwargs = {"max_tokens": 1, "num_oov_indices": 0, "output_mode": mode}
    with pytest.raises(ValueError, match="`max_tokens` must be greater than 1"):
        tf.keras.layers.StringLookup(**kwargs)
    lookup = StringLookupTransformer(engine="arrow", **kwargs)
    with pytest.raises(ValueError, match="max_tokens must be"):
        lookup.fit(_frame({"c": ["a", "b", "a"]}))


SHARED_ROWS = {
    "docstring": [["a", "c", "d"], ["d", "z", "b"]],
    "repeats_in_rows": [["a", "a", "b"], ["b", "c", "a"], ["a", "c", "c"]],
    "pets_cities": [
        ["cat", "Paris"],
        ["dog", "Oslo"],
        ["Oslo", "cat"],
        ["", "dog"],
        ["ab\x00", "ab"],
        ["[UNK]", "e\u0301"],
    ],
}

SHARED_PARAMS = {
    "default": {},
    "max_tokens": {"max_tokens": 4},
    "mask_int": {"mask_token": "", "max_tokens": 4},
    "mask_count": {"mask_token": "", "max_tokens": 4, "output_mode": "count"},
    "oov3": {"num_oov_indices": 3},
}


@pytest.mark.parametrize("name", list(SHARED_ROWS), ids=list(SHARED_ROWS))
@pytest.mark.parametrize("kwargs", SHARED_PARAMS.values(), ids=list(SHARED_PARAMS))
def test_shared_vocabulary_equals_2d_adapt(name, kwargs):
    """A shared vocabulary is what ``adapt`` learns from the 2-D array."""
    rows = SHARED_ROWS[name]
    columns = {f"c{j}": [row[j] for row in rows] for j in range(len(rows[0]))}
    lookup = StringLookupTransformer(engine="arrow", shared_vocabulary=True, **kwargs)
    terms = lookup.fit(_frame(columns)).vocabularies_[0]
    _assert_vocabulary_equals_layer(terms, _adapted(rows, **kwargs), kwargs)


def test_shared_vocabulary_docstring_example():
    """Keras' 2-D adapt example gives d, z, c, b, a."""
    lookup = StringLookupTransformer(engine="arrow", shared_vocabulary=True)
    lookup.fit(np.array(SHARED_ROWS["docstring"], dtype=object))
    assert lookup.vocabularies_ == [["d", "z", "c", "b", "a"]]


@pytest.mark.parametrize("shared", [False, True], ids=["per_column", "shared"])
def test_missing_cells_are_not_learned_like_adapt(shared):
    """Missing cells count as rows but never as terms, as the OOV token in adapt."""
    columns = {
        "a": ["x", None, "y", float("nan"), "x", pd.NA],
        "b": [None, "y", "y", "z", pd.NA, "x"],
    }
    kwargs = {"output_mode": "tf_idf", "num_oov_indices": 2}
    lookup = StringLookupTransformer(engine="arrow", shared_vocabulary=shared, **kwargs)
    lookup.fit(_frame(columns))
    blocks = [list(columns.values())] if shared else [[c] for c in columns.values()]
    for b, block in enumerate(blocks):
        layer = _adapted(_rows(block, "[UNK]"), **kwargs)
        _assert_vocabulary_equals_layer(lookup.vocabularies_[b], layer, kwargs)
        _assert_weights_equal(lookup.idf_weights_[b], layer, 2)


# tf-idf weights -----------------------------------------------------------------


def _assert_weights_equal(ours, layer, k):
    """Term weights exactly; OOV weights within 1 ulp (our mean is float64)."""
    keras = np.asarray(layer.idf_weights_const)
    assert ours.dtype == keras.dtype == np.float32
    n = len(ours)
    np.testing.assert_array_equal(ours[k:], keras[k:n], strict=True)
    np.testing.assert_array_max_ulp(ours[:k], keras[:k], maxulp=1)
    np.testing.assert_array_equal(keras[n:], np.zeros(len(keras) - n, np.float32))


TF_IDF_PARAMS = {
    "oov0": {"num_oov_indices": 0},
    "oov1": {"num_oov_indices": 1},
    "oov3": {"num_oov_indices": 3},
    "oov1_mask": {"num_oov_indices": 1, "mask_token": ""},
    "oov3_max_tokens": {"num_oov_indices": 3, "max_tokens": 6},
    "oov1_pad": {"num_oov_indices": 1, "max_tokens": 20, "pad_to_max_tokens": True},
}


@pytest.mark.parametrize("name", ["pets", "counts_then_bytes", "nul", "line_breaks"])
@pytest.mark.parametrize("kwargs", TF_IDF_PARAMS.values(), ids=list(TF_IDF_PARAMS))
def test_tf_idf_weights_equal_adapt(name, kwargs):
    """Per-column idf weights are the adapted layer's."""
    cells = COLUMNS[name]
    lookup = StringLookupTransformer(engine="arrow", output_mode="tf_idf", **kwargs)
    lookup.fit(_frame({"c": cells}))
    layer = _adapted([[c] for c in cells], output_mode="tf_idf", **kwargs)
    kwargs = {**kwargs, "output_mode": "tf_idf"}
    _assert_vocabulary_equals_layer(lookup.vocabularies_[0], layer, kwargs)
    _assert_weights_equal(lookup.idf_weights_[0], layer, kwargs["num_oov_indices"])


@pytest.mark.parametrize("name", list(SHARED_ROWS), ids=list(SHARED_ROWS))
@pytest.mark.parametrize("kwargs", TF_IDF_PARAMS.values(), ids=list(TF_IDF_PARAMS))
def test_shared_tf_idf_weights_equal_adapt(name, kwargs):
    """Shared idf weights count each row once per term, as 2-D adapt does."""
    rows = SHARED_ROWS[name]
    columns = {f"c{j}": [row[j] for row in rows] for j in range(len(rows[0]))}
    lookup = StringLookupTransformer(
        engine="arrow", output_mode="tf_idf", shared_vocabulary=True, **kwargs
    )
    lookup.fit(_frame(columns))
    layer = _adapted(rows, output_mode="tf_idf", **kwargs)
    kwargs = {**kwargs, "output_mode": "tf_idf"}
    _assert_vocabulary_equals_layer(lookup.vocabularies_[0], layer, kwargs)
    _assert_weights_equal(lookup.idf_weights_[0], layer, kwargs["num_oov_indices"])


def test_ragged_documents_give_the_documented_weights():
    """Rows padded with missing cells weigh as Keras' ragged adapt example."""
    rows = [["a", "a", "b"], ["b", "c", None], ["a", None, None]]
    X = np.array(rows, dtype=object)
    lookup = StringLookupTransformer(
        engine="arrow", output_mode="tf_idf", shared_vocabulary=True
    ).fit(X)
    assert lookup.vocabularies_ == [["a", "b", "c"]]
    layer = tf.keras.layers.StringLookup(output_mode="tf_idf")
    layer.adapt(tf.ragged.constant([["a", "a", "b"], ["b", "c"], ["a"]]))
    _assert_weights_equal(lookup.idf_weights_[0], layer, 1)
    np.testing.assert_allclose(
        lookup.idf_weights_[0], [0.76753, 0.69315, 0.69315, 0.91629], atol=5e-6
    )


@pytest.mark.parametrize("engine", ENGINES, ids=ENGINES)
def test_tf_idf_output_of_the_keras_example(engine):
    """Fit on a, a, b; transform a, z, b: ln 2, the mean OOV weight, ln 2.5."""
    lookup = StringLookupTransformer(engine=engine, output_mode="tf_idf")
    out = lookup.fit(_frame({"c": ["a", "a", "b"]})).transform(
        _frame({"c": ["a", "z", "b"]})
    )
    ln2, ln25 = math.log(2.0), math.log(2.5)
    expected = [[0, ln2, 0], [(ln2 + ln25) / 2, 0, 0], [0, 0, ln25]]
    np.testing.assert_array_equal(out, np.array(expected, dtype=np.float32))
    assert out.dtype == np.float32
    layer = _adapted([["a"], ["a"], ["b"]], output_mode="tf_idf")
    keras = _layer_output(layer, [["a"], ["z"], ["b"]], "tf_idf")
    _assert_output_equals(out, keras, "tf_idf", ulp=1)


# Outputs ------------------------------------------------------------------------

TRAIN = {
    "pet": ["cat", "dog", "bird", "cat", "fish", "dog", "", "[UNK]", "dog"]
    + ["a\x00b", None, "ab\x00", "cat", "a\rb"],
    "city": ["Paris", "Oslo", "Paris", "Lima", "", "Oslo", "Paris", "e\u0301"]
    + ["\u00e9", "Oslo", float("nan"), "x" * 3_000, "", "ab"],
}
NEW = {
    "pet": ["cat", "lion", "", "dog", None, "[UNK]", "ab", "ab\x00", "zz"]
    + ["bird", "a\x00b", "\U0001f642", "m", "z", "a\rb", pd.NA],
    "city": ["Oslo", "Rome", "Paris", None, "", "e\u0301", "\u00e9", "Lima"]
    + ["x" * 3_000, "Paris", "m", "ab\x00", "[MASK]", "Oslo", "zz", "ab"],
}


def _in_vocabulary_columns(lookup, n_rows, mask):
    """Cells that a transformer with no OOV index can look up: terms and mask."""
    columns = []
    for j in range(len(TRAIN)):
        terms = lookup.vocabularies_[0 if lookup.shared_vocabulary else j]
        pool = terms + ([mask, None] if mask is not None else [])
        columns.append([pool[(i * (j + 2)) % len(pool)] for i in range(n_rows)])
    return columns


def _fit_and_compare(kwargs, reference, *, shared):
    """Fit on TRAIN, transform NEW; compare both engines with the layer."""
    mask, k = kwargs.get("mask_token"), kwargs.get("num_oov_indices", 1)
    if mask is not None:
        kwargs = {"handle_missing": "mask", **kwargs}
    lookup = StringLookupTransformer(shared_vocabulary=shared, **kwargs)
    lookup.fit(_frame(TRAIN))
    mode = lookup.output_mode
    new = list(NEW.values())
    if k == 0:
        new = _in_vocabulary_columns(lookup, len(NEW["pet"]), mask)
    X_new = _frame(dict(zip(NEW, new, strict=True)))

    if reference == "vocabulary":
        layers = None
    else:
        skip = ("handle_missing", "sparse")
        layer_kwargs = {key: v for key, v in kwargs.items() if key not in skip}
        blocks = [list(TRAIN.values())] if shared else [[c] for c in TRAIN.values()]
        layers = [_adapted(_rows(b, lookup.oov_token), **layer_kwargs) for b in blocks]
        for b, layer in enumerate(layers):
            _assert_vocabulary_equals_layer(
                lookup.vocabularies_[b], layer, layer_kwargs
            )
    keras = _keras_transform(lookup, new, layers)
    ulp = 2 if (mode == "tf_idf" and reference == "adapt") else 0
    for engine in ENGINES:
        ours = lookup.set_params(engine=engine).transform(X_new)
        assert sp.issparse(ours) == lookup.sparse
        _assert_output_equals(ours, keras, mode, ulp=ulp)
    return lookup, keras


REFERENCES = ["vocabulary", "adapt"]
MASKS = {"no_mask": None, "mask": ""}
OOV = {"oov0": 0, "oov1": 1, "oov3": 3}


@pytest.mark.parametrize("reference", REFERENCES, ids=REFERENCES)
@pytest.mark.parametrize("k", OOV.values(), ids=list(OOV))
@pytest.mark.parametrize("mask", MASKS.values(), ids=list(MASKS))
@pytest.mark.parametrize("mode", MODES, ids=MODES)
def test_transform_equals_layer_per_column(mode, mask, k, reference):
    """Each column's block is the layer's output on that column, shape (N, 1)."""
    kwargs = {"output_mode": mode, "mask_token": mask, "num_oov_indices": k}
    _fit_and_compare(kwargs, reference, shared=False)


@pytest.mark.parametrize("reference", REFERENCES, ids=REFERENCES)
@pytest.mark.parametrize("k", OOV.values(), ids=list(OOV))
@pytest.mark.parametrize("mask", MASKS.values(), ids=list(MASKS))
@pytest.mark.parametrize("mode", MODES, ids=MODES)
def test_transform_equals_layer_shared(mode, mask, k, reference):
    """A shared vocabulary gives the layer's output on the (N, k) array."""
    kwargs = {"output_mode": mode, "mask_token": mask, "num_oov_indices": k}
    _fit_and_compare(kwargs, reference, shared=True)


LIMITS = {
    "pad": {"max_tokens": 14, "pad_to_max_tokens": True},
    "truncate": {"max_tokens": 4},
    "truncate_pad": {"max_tokens": 4, "pad_to_max_tokens": True},
}
ENCODED_MODES = MODES[1:]


@pytest.mark.parametrize("shared", [False, True], ids=["per_column", "shared"])
@pytest.mark.parametrize("sparse", [False, True], ids=["dense", "sparse"])
@pytest.mark.parametrize("limits", LIMITS.values(), ids=list(LIMITS))
@pytest.mark.parametrize("mode", ENCODED_MODES, ids=ENCODED_MODES)
def test_padding_and_sparse_output_equal_layer(mode, limits, sparse, shared):
    """``max_tokens``, padding and sparse CSR output equal the dense layer output."""
    kwargs = {"output_mode": mode, "sparse": sparse, "num_oov_indices": 2, **limits}
    _fit_and_compare(kwargs, "vocabulary", shared=shared)
    lookup, keras = _fit_and_compare(kwargs, "adapt", shared=shared)
    if limits.get("pad_to_max_tokens"):
        n_blocks = 1 if shared and mode != "one_hot" else 2
        assert keras.shape[1] == n_blocks * limits["max_tokens"]
    out = lookup.transform(_frame(NEW))
    if sparse:
        assert out.format == "csr"
    else:
        assert isinstance(out, np.ndarray)


@pytest.mark.parametrize("k", OOV.values(), ids=list(OOV))
@pytest.mark.parametrize("mask", MASKS.values(), ids=list(MASKS))
def test_invert_equals_layer(mask, k):
    """``invert=True`` maps every index as the inverted layer does, as str."""
    lookup = StringLookupTransformer(
        engine="arrow", invert=True, mask_token=mask, num_oov_indices=k
    ).fit(_frame(TRAIN))
    sizes = [len(v) + k + (mask is not None) for v in lookup.vocabularies_]
    column = list(range(-2, max(sizes) + 3))
    indices = pd.DataFrame({"pet": column, "city": column})
    out = lookup.transform(indices)
    assert out.dtype == object
    for j in range(2):
        layer = _vocabulary_layer(lookup, j)
        keras = np.asarray(layer(np.array(column, dtype=np.int64)[:, None]))[:, 0]
        assert all(type(v) is str for v in out[:, j])
        assert out[:, j].tolist() == [v.decode("utf-8") for v in keras]

    forward = StringLookupTransformer(
        engine="arrow", mask_token=mask, num_oov_indices=k
    ).fit(_frame(TRAIN))
    assert forward.inverse_transform(indices).tolist() == out.tolist()


@pytest.mark.parametrize("engine", ENGINES, ids=ENGINES)
@pytest.mark.parametrize("mode", MODES, ids=MODES)
def test_unseen_terms_without_oov_index_raise(mode, engine):
    """Where Keras raises InvalidArgumentError, we raise a ValueError naming it."""
    lookup = StringLookupTransformer(engine=engine, output_mode=mode, num_oov_indices=0)
    lookup.fit(_frame({"pet": ["cat", "dog"]}))
    with pytest.raises(ValueError, match=r"column 'pet' has 1 cells whose terms"):
        lookup.transform(_frame({"pet": ["cat", "zz"]}))
    layer = _vocabulary_layer(lookup, 0)
    with pytest.raises(tf.errors.InvalidArgumentError, match="num_oov_indices=0"):
        layer(_objects([["cat"], ["zz"]]))


@pytest.mark.parametrize("mode", MODES[1:], ids=MODES[1:])
def test_encoded_dtypes_are_documented(mode):
    """Ours are int64 (float32 for tf-idf) under either Keras; Keras 2's float32."""
    lookup = StringLookupTransformer(engine="keras", output_mode=mode)
    out = lookup.fit_transform(_frame({"c": ["a", "b", "a"]}))
    assert out.dtype == (np.float32 if mode == "tf_idf" else np.int64)
    keras = _layer_output(_vocabulary_layer(lookup, 0), [["a"], ["b"]], mode)
    assert keras.dtype == _keras_dtype(mode)
    assert keras.dtype == (np.float32 if KERAS2 or mode == "tf_idf" else np.int64)


# Generated input -------------------------------------------------------------------


def _block_columns(lookup, columns):
    if lookup.shared_vocabulary:
        return [columns]
    return [[c] for c in columns]


def _learnable_counts(block, lookup):
    """Counts of the terms `fit` may learn from `block`, after min_frequency."""
    texts = [text_of(c) for cells in block for c in cells]
    texts = [t for t in texts if t is not None]
    counts = {}
    for t in texts:
        counts[t] = counts.get(t, 0) + 1
    for special in (lookup.mask_token, lookup.oov_token):
        counts.pop(special, None)
    threshold = lookup.min_frequency
    if isinstance(threshold, float):
        # A share of the non-missing cells, special tokens included.
        threshold = threshold * len(texts)
    if threshold is not None:
        counts = {t: n for t, n in counts.items() if n >= threshold}
    return counts


def _expect_fit_error(lookup, columns):
    """The ValueError message our fit must raise for `columns`, if any."""
    has_missing = any(text_of(c) is None for cells in columns for c in cells)
    if lookup.handle_missing == "error" and has_missing:
        return "missing cells"
    blocks = _block_columns(lookup, columns)
    if not all(_learnable_counts(block, lookup) for block in blocks):
        return "has no term to learn"
    return None


def _keras_order(layer, terms, mode):
    """`terms`, all learned by `layer`, in the layer's vocabulary order."""
    positions = _layer_positions(layer, terms, mode)
    return [t for _, t in sorted(zip(positions, terms, strict=True))]


@settings(max_examples=40, **HYPOTHESIS)
@given(
    sample=frame_samples(max_cols=2),
    parameters=params(invert=(False,)),
)
def test_fit_equals_adapt_on_generated_frames(sample, parameters):
    """Generated frames and parameters: ``fit`` learns what ``adapt`` learns.

    Keras has no ``min_frequency``: with one, the vocabulary must be the
    adapted one (without ``max_tokens``) filtered by count, then truncated.
    """
    lookup = StringLookupTransformer(engine="arrow", **parameters)
    error = _expect_fit_error(lookup, sample.columns)
    if error is not None:
        with pytest.raises(ValueError, match=error):
            lookup.fit(sample.X)
        return
    lookup.fit(sample.X)

    kwargs = _layer_kwargs(lookup)
    mode, k = kwargs["output_mode"], kwargs["num_oov_indices"]
    for b, block in enumerate(_block_columns(lookup, sample.columns)):
        terms = lookup.vocabularies_[b]
        rows = _rows(block, lookup.oov_token)
        if lookup.min_frequency is None:
            layer = _adapted(rows, **kwargs)
            _assert_vocabulary_equals_layer(terms, layer, kwargs)
            if mode == "tf_idf":
                _assert_weights_equal(lookup.idf_weights_[b], layer, k)
            continue

        unlimited = {**kwargs, "max_tokens": None, "pad_to_max_tokens": False}
        layer = _adapted(rows, **unlimited)
        kept = _learnable_counts(block, lookup)
        order = _keras_order(layer, list(kept), mode)
        limit = kwargs["max_tokens"]
        if limit is not None:
            limit -= _token_start(kwargs)
        assert terms == order[:limit]
        if mode == "tf_idf":
            keras = np.asarray(layer.idf_weights_const)
            positions = _layer_positions(layer, terms, mode)
            np.testing.assert_array_equal(
                lookup.idf_weights_[b][k:], keras[positions], strict=True
            )


def _expect_transform_error(lookup, columns):
    """The ValueError message our transform must raise for `columns`, if any."""
    k = lookup.num_oov_indices
    missing = any(text_of(c) is None for cells in columns for c in cells)
    if missing and lookup.handle_missing == "error":
        return "missing cells"
    if k:
        return None
    for j, cells in enumerate(columns):
        terms = lookup.vocabularies_[0 if lookup.shared_vocabulary else j]
        known = {*terms, lookup.mask_token}
        texts = [text_of(c) for c in cells]
        if any(t is not None and t not in known for t in texts):
            return "cells whose terms are not in the vocabulary"
        if None in texts and lookup.handle_missing == "oov":
            return "missing cells"
    return None


@settings(max_examples=40, **HYPOTHESIS)
@given(
    sample=frame_samples(max_cols=2),
    parameters=params(invert=(False,)),
)
def test_transform_equals_layer_on_generated_frames(sample, parameters):
    """Generated frames and parameters: ``transform`` is the layer's output."""
    lookup = StringLookupTransformer(engine="arrow", **parameters)
    if _expect_fit_error(lookup, sample.columns) is not None:
        return
    lookup.fit(sample.X)
    error = _expect_transform_error(lookup, sample.new_columns)
    if error is not None:
        for engine in ENGINES:
            with pytest.raises(ValueError, match=error):
                lookup.set_params(engine=engine).transform(sample.X_new)
        return
    keras = _keras_transform(lookup, sample.new_columns)
    mode = lookup.output_mode
    for engine in ENGINES:
        ours = lookup.set_params(engine=engine).transform(sample.X_new)
        _assert_output_equals(ours, keras, mode)
