"""The Arrow and Keras lookup engines give identical results.

The differential tests fit on generated frames with generated parameters and
require both engines to give the same outputs, or the same error. The Arrow
engine has three lookup paths (a dict for small batches, Arrow ``index_in``,
and the distinct values of a batch for very large vocabularies); they must
agree with each other, with the Keras engine and with TensorFlow's hashing.
"""

import os
import subprocess
import sys

import numpy as np
import pandas as pd
import pyarrow.compute as pc
import pytest
import scipy.sparse as sp
import tensorflow as tf
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import (
    HYPOTHESIS,
    any_params,
    column_cells,
    frame_samples,
    make_frame,
    params,
    text_cells,
)

from skstringlookup import StringLookupTransformer, _engines, _transformer

KERAS2 = tf.keras.layers.StringLookup.__module__.startswith("tf_keras")
ENGINES = ["arrow", "keras"]


# Helpers ---------------------------------------------------------------------


def _outcome(call):
    """What `call` returns, or the type and message of what it raises."""
    try:
        return "value", call()
    except Exception as exc:  # noqa: BLE001 - every error is compared below
        return "error", (type(exc), str(exc))


def _assert_same_outcome(arrow, keras):
    """Identical values (type, dtype, shape, cells), or identical errors."""
    assert arrow[0] == keras[0], (arrow, keras)
    if arrow[0] == "error":
        assert arrow[1] == keras[1]
        # The transformer documents ValueError and TypeError only.
        assert issubclass(arrow[1][0], (ValueError, TypeError)), arrow[1]
        return
    _assert_identical(arrow[1], keras[1])


def _assert_identical(a, b):
    assert type(a) is type(b)
    if isinstance(a, list):
        assert a == b
        return
    if sp.issparse(a):
        assert a.format == b.format
        assert a.dtype == b.dtype
        assert a.shape == b.shape
        assert (a != b).nnz == 0
        return
    assert a.dtype == b.dtype
    assert a.shape == b.shape
    if a.dtype == object:
        assert [type(v) for v in a.ravel()] == [type(v) for v in b.ravel()]
        assert a.tolist() == b.tolist()
    else:
        np.testing.assert_array_equal(a, b, strict=True)


def _index_frame(sample, n_indices):
    """The transform input of an ``invert=True`` transformer: indices.

    Same frame kind and column names as the sample's frames.
    """
    rng = np.random.default_rng(len(sample.columns) * 31 + n_indices)
    n_rows = len(sample.new_columns[0])
    columns = [
        rng.integers(-2, n_indices + 3, size=n_rows).tolist() for _ in sample.columns
    ]
    frame = "numpy" if sample.frame == "numpy_str" else sample.frame
    return make_frame(columns, ("native",) * len(columns), frame=frame)


def _compare_engines(sample, parameters):
    """Fit and use one transformer per engine; require identical results."""
    fitted = {}
    for engine in ENGINES:
        lookup = StringLookupTransformer(engine=engine, **parameters)
        fitted[engine] = (lookup, _outcome(lambda lookup=lookup: lookup.fit(sample.X)))
    fit_arrow, fit_keras = fitted["arrow"][1], fitted["keras"][1]
    assert fit_arrow[0] == fit_keras[0]
    if fit_arrow[0] == "error":
        _assert_same_outcome(fit_arrow, fit_keras)
        return
    arrow, keras = fitted["arrow"][0], fitted["keras"][0]
    assert arrow.vocabularies_ == keras.vocabularies_

    invert = parameters.get("invert", False)
    if invert:
        sizes = [len(v) for v in arrow.vocabularies_]
        inputs = [_index_frame(sample, 2 + max(sizes) + 4)]
        inverse_inputs = [sample.X_new, sample.X]
    else:
        inputs = [sample.X_new, sample.X]
        inverse_inputs = [_index_frame(sample, 8)]

    for X in inputs:
        _assert_same_outcome(
            _outcome(lambda X=X: arrow.transform(X)),
            _outcome(lambda X=X: keras.transform(X)),
        )
    if arrow.output_mode == "int":
        for X in inverse_inputs:
            _assert_same_outcome(
                _outcome(lambda X=X: arrow.inverse_transform(X)),
                _outcome(lambda X=X: keras.inverse_transform(X)),
            )
    _assert_same_outcome(
        _outcome(lambda: arrow.get_feature_names_out()),
        _outcome(lambda: keras.get_feature_names_out()),
    )


# Differential tests on generated input ------------------------------------------


@settings(max_examples=120, **HYPOTHESIS)
@given(sample=frame_samples(), parameters=params())
def test_engines_agree_on_generated_frames(sample, parameters):
    """Both engines give identical outputs, names and errors on any input."""
    _compare_engines(sample, parameters)


@settings(max_examples=60, **HYPOTHESIS)
@given(sample=frame_samples(max_rows=6, long=False), parameters=any_params())
def test_engines_agree_on_any_parameters(sample, parameters):
    """Invalid parameter sets raise the same error with either engine."""
    _compare_engines(sample, parameters)


@settings(max_examples=40, **HYPOTHESIS)
@given(
    sample=frame_samples(min_rows=33, max_rows=80, max_cols=2, long=False),
    parameters=params(),
)
def test_engines_agree_on_batches_above_the_small_batch_size(sample, parameters):
    """Batches too large for the dict path give the same output as Keras."""
    _compare_engines(sample, parameters)


def _adapt_indices(cells, token_start, terms):
    """Lookups of `terms` through a layer adapted on `cells` (one per row)."""
    layer = tf.keras.layers.StringLookup()
    data = np.array(cells, dtype=object)
    layer.adapt(data.reshape(-1, 1) if KERAS2 else data)
    assert layer.vocabulary_size() == token_start + len(terms)
    return np.asarray(layer(np.array(terms, dtype=object))).tolist()


@settings(max_examples=40, **HYPOTHESIS)
@given(cells=st.integers(1, 40).flatmap(lambda n: column_cells(n, missing=False)))
def test_arrow_fit_equals_adapt_on_generated_columns(cells):
    """The vocabulary learned without TensorFlow is the one ``adapt`` learns."""
    X = pd.DataFrame({"c": pd.Series(cells, dtype=object)})
    learnable = [c for c in cells if c != "[UNK]"]
    lookup = StringLookupTransformer(engine="arrow")
    if not learnable:
        with pytest.raises(ValueError, match="column 'c' has no term to learn"):
            lookup.fit(X)
        return
    terms = lookup.fit(X).vocabularies_[0]

    assert _adapt_indices(cells, 1, terms) == list(range(1, 1 + len(terms)))
    assert sorted(terms) == sorted(set(learnable))


# The three paths of the Arrow engine ------------------------------------------

# A vocabulary larger than the distinct-value threshold of the Arrow engine.
N_LARGE = _engines.LARGE_VOCABULARY + 3_464
LARGE_TERMS = [f"t{i:06d}" for i in range(N_LARGE)]

# 32 cells: learned terms, unseen ones (hashed when there are several OOV
# indices), look-alikes of learned terms, the mask, the OOV token and missing.
QUERY = [
    "t000000",
    "t069999",
    "t012345",
    LARGE_TERMS[-1],
    "t000000\x00",
    "\x00t000001",
    "t00000",
    "T000002",
    "",
    "[UNK]",
    None,
    "zz",
    "m",
    "z",
    "\u00e9",
    "e\u0301",
    "\U0001f642",
    "a\nb",
    "a\rb",
    "x" * 5_000,
    None,
    "t000003",
    "t000003",
    "unseen-1",
    "unseen-2",
    "unseen-3",
    "unseen-4",
    "\x00",
    "[MASK]",
    "t050000",
    None,
    "t000000",
]

PATH_IDS = ("dict", "distinct", "index_in")

LOOKUP_CASES = {
    "oov1": {"num_oov_indices": 1},
    "oov3": {"num_oov_indices": 3},
    "oov3_mask": {"num_oov_indices": 3, "mask_token": "", "handle_missing": "mask"},
    "oov1_mask_missing_oov": {"num_oov_indices": 1, "mask_token": "[MASK]"},
    "oov0_mask": {"num_oov_indices": 0, "mask_token": "", "handle_missing": "mask"},
}


@pytest.fixture(scope="module")
def large_fit():
    """Frame holding every large-vocabulary term once, the first ones twice."""
    cells = LARGE_TERMS + LARGE_TERMS[:3]
    return pd.DataFrame({"c": pd.Series(cells, dtype=object)})


def _expected_indices(cells, terms, k, mask, missing_index):
    """Int-layout indices computed from the definition, with TF's hashing."""
    oov_start = 1 if mask is not None else 0
    position = {t: oov_start + k + i for i, t in enumerate(terms)}
    unseen = [c for c in cells if c is not None and c != mask and c not in position]
    buckets = {}
    if unseen and k > 1:
        hashed = tf.strings.to_hash_bucket_fast(np.array(unseen, dtype=object), k)
        buckets = dict(zip(unseen, np.asarray(hashed).tolist(), strict=True))
    out = []
    for cell in cells:
        if cell is None:
            out.append(missing_index)
        elif cell == mask:
            out.append(0)
        elif cell in position:
            out.append(position[cell])
        else:
            out.append(oov_start + buckets.get(cell, 0))
    return out


def _path_calls(monkeypatch):
    """Count the Arrow kernels each lookup path uses (patched for the test)."""
    calls = {"index_in": 0, "dictionary_encode": 0}
    for name in calls:
        original = getattr(pc, name)

        def spy(*args, _name=name, _original=original, **kwargs):
            calls[_name] += 1
            return _original(*args, **kwargs)

        monkeypatch.setattr(pc, name, spy)
    return calls


@pytest.mark.parametrize("case", list(LOOKUP_CASES), ids=list(LOOKUP_CASES))
def test_arrow_paths_agree_on_a_large_vocabulary(case, large_fit, monkeypatch):
    """Dict, ``index_in`` and distinct-value lookups give the defined indices."""
    parameters = LOOKUP_CASES[case]
    k, mask = parameters["num_oov_indices"], parameters.get("mask_token")
    query = QUERY if k else [c for c in QUERY if c is None or c in LARGE_TERMS[:9]]
    if k == 0:
        query = query + [mask] + LARGE_TERMS[:9]
    query = query[: _engines.SMALL_BATCH]
    lookup = StringLookupTransformer(engine="arrow", **parameters).fit(large_fit)
    terms = lookup.vocabularies_[0]
    assert len(terms) == N_LARGE > _engines.LARGE_VOCABULARY

    to_mask = parameters.get("handle_missing") == "mask"
    missing_index = 0 if to_mask else (1 if mask is not None else 0)
    expected = _expected_indices(query, terms, k, mask, missing_index)
    sizes = {
        "dict": len(query),
        "distinct": len(query) * 100,
        "index_in": len(query) * (N_LARGE // (4 * len(query)) + 1),
    }
    assert sizes["dict"] <= _engines.SMALL_BATCH
    assert 4 * sizes["distinct"] < N_LARGE <= 4 * sizes["index_in"]

    calls = _path_calls(monkeypatch)
    for path, size in sizes.items():
        repeats = size // len(query)
        X = pd.DataFrame({"c": pd.Series(query * repeats, dtype=object)})
        before = dict(calls)
        out = lookup.transform(X)
        used = {name: calls[name] - before[name] for name in calls}

        assert out.dtype == np.int64
        assert out.shape == (size, 1)
        assert out[:, 0].tolist() == expected * repeats, path
        if path == "dict":
            assert used == {"index_in": 0, "dictionary_encode": 0}
        elif path == "distinct":
            assert used["index_in"] == 0
            assert used["dictionary_encode"] >= 1
        else:
            assert used["index_in"] >= 1


def test_arrow_paths_equal_the_keras_engine_on_a_large_vocabulary(large_fit):
    """Every path of the Arrow engine equals the Keras engine, hashing included."""
    lookup = StringLookupTransformer(
        engine="arrow", num_oov_indices=3, mask_token="[MASK]"
    ).fit(large_fit)
    for repeats in (1, 100, N_LARGE // (4 * len(QUERY)) + 1):
        X = pd.DataFrame({"c": pd.Series(QUERY * repeats, dtype=object)})
        arrow = lookup.set_params(engine="arrow").transform(X)
        keras = lookup.set_params(engine="keras").transform(X)
        _assert_identical(arrow, keras)


def test_arrow_paths_raise_the_same_error_for_unseen_terms(large_fit):
    """With no OOV index, every path names the unseen term."""
    lookup = StringLookupTransformer(engine="arrow", num_oov_indices=0).fit(large_fit)
    for engine in ENGINES:
        lookup.set_params(engine=engine)
        for repeats in (1, 100, N_LARGE // 4 + 1):
            X = pd.DataFrame({"c": ["t000000", "zz"] * repeats})
            with pytest.raises(ValueError, match=r"column 'c' has \d+ cells whose"):
                lookup.transform(X)


# Module constants that route a batch: the transformer's own small-batch
# shortcut, and the engine's dict and distinct-value thresholds.
FORCED_PATHS = {
    "dict": {"_transformer": 0, "SMALL_BATCH": 10**9},
    "index_in": {"_transformer": 0, "SMALL_BATCH": 0, "LARGE_VOCABULARY": 10**9},
    "distinct": {"_transformer": 0, "SMALL_BATCH": 0, "LARGE_VOCABULARY": -1},
}


def _transform_forced(lookup, X, constants, calls):
    """Transform `X` with the routing constants patched; count Arrow kernels."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_transformer, "SMALL_BATCH", constants["_transformer"])
        for name, value in constants.items():
            if name != "_transformer":
                patch.setattr(_engines, name, value)
        before = dict(calls)
        outcome = _outcome(lambda: lookup.transform(X))
    return outcome, {name: calls[name] - before[name] for name in calls}


@pytest.mark.parametrize("engine", ENGINES, ids=ENGINES)
@pytest.mark.parametrize("rows", [10, 100, 4 * N_LARGE], ids=list(PATH_IDS))
def test_all_missing_batch_on_a_large_vocabulary(engine, rows, large_fit):
    """A batch holding only missing cells maps to the OOV slot on every path."""
    lookup = StringLookupTransformer(engine=engine).fit(large_fit)
    X = pd.DataFrame({"c": pd.Series([None] * rows, dtype=object)})
    assert lookup.transform(X)[:, 0].tolist() == [0] * rows


@settings(max_examples=60, **HYPOTHESIS)
@given(
    pool=st.lists(text_cells(long=False), max_size=12).map(
        lambda cells: list(dict.fromkeys([*cells, *(f"w{i}" for i in range(15))]))
    ),
    data=st.data(),
    parameters=params(invert=(False,), shared=(False,), min_frequency=False),
)
def test_arrow_paths_agree_on_generated_columns(pool, data, parameters):
    """Forcing each lookup path through the routing constants changes nothing."""
    parameters = {**parameters, "max_tokens": None, "pad_to_max_tokens": False}
    extra = data.draw(column_cells(data.draw(st.integers(0, 20)), pool=pool))
    frame = data.draw(st.sampled_from(["pandas", "numpy", "list", "polars"]))
    X = make_frame([pool + extra], frame=frame)
    lookup = StringLookupTransformer(engine="arrow", **parameters)
    if _outcome(lambda: lookup.fit(X))[0] == "error":
        return
    # At most 3 rows: four times fewer than the terms, so "distinct" applies.
    assert len(lookup.vocabularies_[0]) > 12
    few = data.draw(column_cells(data.draw(st.integers(1, 3)), pool=pool))
    many = data.draw(column_cells(data.draw(st.integers(33, 60)), pool=pool))

    with pytest.MonkeyPatch.context() as patch:
        calls = _path_calls(patch)
        for cells in (few, many):
            X_new = make_frame([cells], frame=frame)
            reference = _outcome(lambda X_new=X_new: lookup.transform(X_new))
            for path, constants in FORCED_PATHS.items():
                outcome, used = _transform_forced(lookup, X_new, constants, calls)
                _assert_same_outcome(reference, outcome)
                if cells is not few or outcome[0] == "error":
                    continue
                if path == "dict":
                    assert used == {"index_in": 0, "dictionary_encode": 0}
                elif path == "distinct":
                    assert used["index_in"] == 0
                    assert used["dictionary_encode"] >= 1
                else:
                    assert used["index_in"] >= 1


# Hashed OOV buckets and missing cells --------------------------------------------


@pytest.mark.parametrize("engine", ENGINES, ids=ENGINES)
@pytest.mark.parametrize("k", [2, 3, 7], ids=["oov2", "oov3", "oov7"])
def test_oov_buckets_equal_tensorflow_hashing(engine, k):
    """Unseen terms land in ``to_hash_bucket_fast`` buckets, after the mask."""
    unseen = ["zz", "m", "z", "", "\x00", "a\x00", "\u00e9", "x" * 3_000, "[UNK]"]
    unseen += [f"u{i}" for i in range(40)]
    lookup = StringLookupTransformer(
        engine=engine, num_oov_indices=k, mask_token="[MASK]"
    ).fit(pd.DataFrame({"c": ["a", "b", "a"]}))
    for n in (len(unseen), 5):
        cells = unseen[:n]
        out = lookup.transform(pd.DataFrame({"c": pd.Series(cells, dtype=object)}))
        hashed = tf.strings.to_hash_bucket_fast(np.array(cells, dtype=object), k)
        assert out[:, 0].tolist() == (np.asarray(hashed) + 1).tolist()


@pytest.mark.parametrize("engine", ENGINES, ids=ENGINES)
def test_docstring_oov_buckets(engine):
    """Keras' docstring example: with two OOV indices "m" gets 0 and "z" gets 1."""
    lookup = StringLookupTransformer(engine=engine, num_oov_indices=2)
    lookup.fit(pd.DataFrame({"c": ["a", "b", "c", "d"]}))
    out = lookup.transform(pd.DataFrame({"c": ["m", "z", "zz"] + ["m"] * 40}))
    assert out[:3, 0].tolist() == [0, 1, 0]
    assert set(out[3:, 0].tolist()) == {0}


MISSING_CASES = {
    "oov1": ({"num_oov_indices": 1}, [1, 0, 0, 0, 0]),
    "oov3": ({"num_oov_indices": 3}, [3, 0, 0, 0, 0]),
    "oov3_mask_to_oov": (
        {"num_oov_indices": 3, "mask_token": "", "handle_missing": "oov"},
        [4, 1, 1, 1, 0],
    ),
    "oov3_mask_to_mask": (
        {"num_oov_indices": 3, "mask_token": "", "handle_missing": "mask"},
        [4, 0, 0, 0, 0],
    ),
    "oov0_mask_to_mask": (
        {"num_oov_indices": 0, "mask_token": "", "handle_missing": "mask"},
        [1, 0, 0, 0, 0],
    ),
}


@pytest.mark.parametrize("engine", ENGINES, ids=ENGINES)
@pytest.mark.parametrize("rows", [5, 5 * 40], ids=["dict", "index_in"])
@pytest.mark.parametrize("case", list(MISSING_CASES), ids=list(MISSING_CASES))
def test_missing_cells_go_to_the_documented_index(engine, rows, case):
    """None, NaN and pd.NA never hash: they take the first OOV slot or the mask."""
    parameters, expected = MISSING_CASES[case]
    lookup = StringLookupTransformer(engine=engine, **parameters)
    lookup.fit(pd.DataFrame({"c": ["a", "a", None]}))
    cells = ["a", None, float("nan"), pd.NA, ""]
    if "mask_token" not in parameters:
        cells[-1] = np.nan
    repeats = rows // len(cells)
    X = pd.DataFrame({"c": pd.Series(cells * repeats, dtype=object)})
    assert lookup.transform(X)[:, 0].tolist() == expected * repeats


@pytest.mark.parametrize("engine", ENGINES, ids=ENGINES)
@pytest.mark.parametrize("rows", [3, 3 * 40], ids=["dict", "index_in"])
def test_missing_cells_without_an_oov_index_raise(engine, rows):
    """With no OOV slot and no mask, a missing cell is an error naming the column."""
    lookup = StringLookupTransformer(engine=engine, num_oov_indices=0)
    lookup.fit(pd.DataFrame({"pet": ["a", "b"]}))
    X = pd.DataFrame({"pet": pd.Series(["a", None, "b"] * (rows // 3), dtype=object)})
    with pytest.raises(ValueError, match=r"column 'pet' has \d+ missing cells"):
        lookup.transform(X)


@pytest.mark.parametrize("engine", ENGINES, ids=ENGINES)
@pytest.mark.parametrize("rows", [3, 3 * 40], ids=["dict", "index_in"])
def test_numpy_str_arrays_keep_embedded_nul(engine, rows):
    """A NumPy str array keeps NULs inside a cell; so do fit and transform."""
    X = np.array([["a\x00b"], ["a"], ["a\x00b"], ["\x00a"]])
    lookup = StringLookupTransformer(engine=engine).fit(X)
    assert lookup.vocabularies_ == [["a\x00b", "a", "\x00a"]]
    new = np.array([["\x00ab"], ["a\x00b"], ["a"]] * (rows // 3))
    assert new[1, 0] == "a\x00b"
    assert lookup.transform(new)[:, 0].tolist() == [0, 1, 2] * (rows // 3)


# Switching engines ---------------------------------------------------------------

SWITCH_CASES = {
    "int": {},
    "one_hot_sparse": {"output_mode": "one_hot", "sparse": True},
    "count_shared": {"output_mode": "count", "shared_vocabulary": True},
    "tf_idf_oov3": {"output_mode": "tf_idf", "num_oov_indices": 3},
    "mask_missing": {"mask_token": "", "handle_missing": "mask", "num_oov_indices": 2},
}


@pytest.mark.parametrize("first", ENGINES, ids=[f"fit_{e}" for e in ENGINES])
@pytest.mark.parametrize("case", list(SWITCH_CASES), ids=list(SWITCH_CASES))
def test_set_params_switches_engine_without_refitting(first, case):
    """``set_params(engine=...)`` keeps the fitted state and the output."""
    train = pd.DataFrame(
        {
            "pet": ["cat", "dog", "bird", "cat", None, "dog", "", "ab\x00"],
            "city": ["Paris", "Oslo", "Paris", "", "Lima", None, "Oslo", "ab"],
        }
    )
    new = pd.DataFrame(
        {
            "pet": ["cat", "lion", None, "", "ab", "ab\x00"] * 7,
            "city": ["Oslo", "Rome", "", None, "ab", "Paris"] * 7,
        }
    )
    lookup = StringLookupTransformer(engine=first, **SWITCH_CASES[case]).fit(train)
    vocabularies = lookup.vocabularies_
    weights = getattr(lookup, "idf_weights_", None)
    outputs = {}
    for engine in [first, *(e for e in ENGINES if e != first), first]:
        assert lookup.set_params(engine=engine) is lookup
        outputs.setdefault(engine, [])
        outputs[engine].append([lookup.transform(new), lookup.transform(new[:4])])
        assert lookup.vocabularies_ is vocabularies
        assert getattr(lookup, "idf_weights_", None) is weights
    reference = outputs[first][0]
    for runs in outputs.values():
        for run in runs:
            for got, want in zip(run, reference, strict=True):
                _assert_identical(got, want)


@pytest.mark.slow
def test_arrow_engine_never_imports_tensorflow():
    """Fit and transform with ``engine="arrow"`` in a process without TensorFlow."""
    code = (
        "import sys\n"
        "import pandas as pd\n"
        "from skstringlookup import StringLookupTransformer\n"
        "X = pd.DataFrame({'c': ['a', 'b', 'a', None] * 20})\n"
        "for mode in ['int', 'one_hot', 'tf_idf']:\n"
        "    lookup = StringLookupTransformer(engine='arrow', output_mode=mode,\n"
        "                                     num_oov_indices=3)\n"
        "    lookup.fit_transform(X)\n"
        "    lookup.transform(X[:3])\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in\n"
        "      ('tensorflow', 'keras', 'tf_keras')))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )
    assert result.stdout.strip() == "[]"
