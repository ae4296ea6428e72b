"""Many threads sharing one fitted StringLookupTransformer."""

import copy
import io
import pickle
import threading
import time

import joblib
import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from skstringlookup import StringLookupTransformer, _engines

N_THREADS = 8
ROUNDS = 3
ENGINES = ["arrow", "keras"]
ENGINE_CLASSES = {"arrow": _engines.ArrowLookup, "keras": _engines.KerasLookup}

# Terms the transformer learns, and terms it never sees in fit.
KNOWN = [f"term{i}" for i in range(40)] + ["", "ab\x00", "a\nb", "é", "e\u0301"]
UNSEEN = [f"new{i}" for i in range(15)] + ["[UNK]", "ab"]

CONFIGS = {
    "int": ({}, 2),
    "one_hot_sparse": ({"output_mode": "one_hot", "sparse": True}, 2),
    "multi_hot": ({"output_mode": "multi_hot"}, 2),
    "tf_idf": ({"output_mode": "tf_idf"}, 2),
    "shared_count": ({"output_mode": "count", "shared_vocabulary": True}, 1),
    "mask_oov3": (
        {"mask_token": "[MASK]", "num_oov_indices": 3, "handle_missing": "mask"},
        2,
    ),
}


def _frame(seed, n_rows, *, unseen=True):
    """Two text columns drawn from the pools, with some missing cells."""
    rng = np.random.default_rng(seed)
    pool = KNOWN + (UNSEEN if unseen else [])
    columns = {}
    for name in ("pet", "city"):
        cells = rng.choice(np.array(pool, dtype=object), size=n_rows).tolist()
        for row in rng.choice(n_rows, size=n_rows // 10, replace=False):
            cells[row] = None
        columns[name] = pd.Series(cells, dtype=object)
    return pd.DataFrame(columns)


TRAIN = _frame(0, 500, unseen=False)
# Small batches take the dict path of ArrowLookup, large ones the Arrow kernels.
INPUTS = [_frame(100 + i, 7 if i % 2 else 240) for i in range(N_THREADS)]


def _named(indices):
    """Indices as a frame with the training column names."""
    return pd.DataFrame(indices, columns=TRAIN.columns)


def _dense(out):
    return out.toarray() if sp.issparse(out) else out


def _assert_same(actual, expected):
    assert type(actual) is type(expected)
    assert actual.dtype == expected.dtype
    assert actual.shape == expected.shape
    np.testing.assert_array_equal(_dense(actual), _dense(expected))


def _count_constructions(monkeypatch, engine):
    """Wrap the engine's __init__; return the list that grows per construction."""
    cls = ENGINE_CLASSES[engine]
    original = cls.__init__
    calls = []

    def counting_init(self, *args, **kwargs):
        calls.append(threading.get_ident())
        # Widen the window in which an unguarded lazy build would race.
        time.sleep(0.02)
        original(self, *args, **kwargs)

    monkeypatch.setattr(cls, "__init__", counting_init)
    return calls


def _run_threads(work):
    """Run work(i) in N_THREADS threads started together; return their results."""
    barrier = threading.Barrier(N_THREADS)
    results = [None] * N_THREADS
    errors = []

    def target(i):
        try:
            barrier.wait(timeout=60)
            results[i] = work(i)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append((i, exc))

    threads = [threading.Thread(target=target, args=(i,)) for i in range(N_THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert not any(thread.is_alive() for thread in threads), "a thread hung"
    assert errors == []
    return results


def _fresh_copy(fitted, how, tmp_path):
    if how == "pickle":
        return pickle.loads(pickle.dumps(fitted))
    if how == "joblib":
        path = tmp_path / "fitted.joblib"
        joblib.dump(fitted, path)
        return joblib.load(path)
    if how == "deepcopy":
        return copy.deepcopy(fitted)
    assert how == "joblib_buffer"
    buffer = io.BytesIO()
    joblib.dump(fitted, buffer)
    buffer.seek(0)
    return joblib.load(buffer)


@pytest.mark.parametrize("engine", ENGINES, ids=ENGINES)
@pytest.mark.parametrize("config", list(CONFIGS), ids=list(CONFIGS))
def test_threads_give_single_threaded_outputs(monkeypatch, engine, config):
    """Eight threads transforming at once match a single thread, cell for cell."""
    params, _ = CONFIGS[config]
    fitted = StringLookupTransformer(engine=engine, **params).fit(TRAIN)
    reference = pickle.loads(pickle.dumps(fitted))
    expected = [reference.transform(X) for X in INPUTS]
    shared = pickle.loads(pickle.dumps(fitted))

    results = _run_threads(
        lambda i: [shared.transform(INPUTS[(i + r) % N_THREADS]) for r in range(ROUNDS)]
    )

    for i, outputs in enumerate(results):
        for r, out in enumerate(outputs):
            _assert_same(out, expected[(i + r) % N_THREADS])


@pytest.mark.parametrize("engine", ENGINES, ids=ENGINES)
@pytest.mark.parametrize("config", list(CONFIGS), ids=list(CONFIGS))
def test_threads_build_each_lookup_once(monkeypatch, engine, config):
    """A freshly unpickled transformer builds one lookup per block under a race."""
    params, n_blocks = CONFIGS[config]
    fitted = StringLookupTransformer(engine=engine, **params).fit(TRAIN)
    fitted.transform(INPUTS[0])
    shared = pickle.loads(pickle.dumps(fitted))
    calls = _count_constructions(monkeypatch, engine)

    _run_threads(lambda i: shared.transform(INPUTS[i]))
    _run_threads(lambda i: shared.transform(INPUTS[i]))

    assert len(calls) == n_blocks


@pytest.mark.parametrize(
    "how",
    ["pickle", "joblib", "deepcopy", "joblib_buffer"],
    ids=["pickle", "joblib", "deepcopy", "joblib_buffer"],
)
@pytest.mark.parametrize("engine", ENGINES, ids=ENGINES)
def test_loaded_copies_build_lookups_once(monkeypatch, tmp_path, engine, how):
    """Every way of copying a fitted transformer leaves it safe to share."""
    fitted = StringLookupTransformer(engine=engine, num_oov_indices=2).fit(TRAIN)
    expected = [fitted.transform(X) for X in INPUTS]
    shared = _fresh_copy(fitted, how, tmp_path)
    calls = _count_constructions(monkeypatch, engine)

    results = _run_threads(lambda i: shared.transform(INPUTS[i]))

    assert len(calls) == 2
    for out, want in zip(results, expected, strict=True):
        _assert_same(out, want)


@pytest.mark.parametrize("engine", ENGINES, ids=ENGINES)
def test_threads_round_trip_through_inverse_transform(engine):
    """Concurrent transform, inverse_transform and feature names do not mix up."""
    fitted = StringLookupTransformer(engine=engine, mask_token="[MASK]").fit(TRAIN)
    reference = pickle.loads(pickle.dumps(fitted))
    indices = [reference.transform(X) for X in INPUTS]
    terms = [reference.inverse_transform(_named(idx)) for idx in indices]
    shared = pickle.loads(pickle.dumps(fitted))

    def work(i):
        idx = shared.transform(INPUTS[i])
        back = shared.inverse_transform(_named(idx))
        return idx, back, shared.get_feature_names_out()

    results = _run_threads(work)

    for i, (idx, back, names) in enumerate(results):
        _assert_same(idx, indices[i])
        _assert_same(back, terms[i])
        assert names.tolist() == ["pet", "city"]


@pytest.mark.parametrize("engine", ENGINES, ids=ENGINES)
def test_threads_with_inverted_transformer(engine):
    """An invert=True transformer maps indices to terms identically under threads."""
    fitted = StringLookupTransformer(engine=engine, invert=True).fit(TRAIN)
    rng = np.random.default_rng(7)
    batches = [_named(rng.integers(-3, 60, size=(50, 2))) for _ in range(N_THREADS)]
    reference = pickle.loads(pickle.dumps(fitted))
    expected = [reference.transform(b) for b in batches]
    shared = pickle.loads(pickle.dumps(fitted))

    results = _run_threads(lambda i: shared.transform(batches[i]))

    for out, want in zip(results, expected, strict=True):
        _assert_same(out, want)


@pytest.mark.parametrize("engine", ENGINES, ids=ENGINES)
def test_threads_report_their_own_unseen_terms(engine):
    """With num_oov_indices=0 each thread's error names the term it was given."""
    fitted = StringLookupTransformer(engine=engine, num_oov_indices=0).fit(TRAIN)
    shared = pickle.loads(pickle.dumps(fitted))

    def work(i):
        X = pd.DataFrame({"pet": ["term1", f"only{i}"], "city": ["term2", "term3"]})
        with pytest.raises(ValueError, match=rf"column 'pet' .*\['only{i}'\]") as info:
            shared.transform(X)
        return str(info.value)

    messages = _run_threads(work)

    for i, message in enumerate(messages):
        assert "num_oov_indices >= 1" in message
        others = [f"only{j}" for j in range(N_THREADS) if j != i]
        assert not any(f"'{other}'" in message for other in others)


def _large_vocabulary_index(term, n_terms):
    """Index of `term` in the vocabulary w0, w1, ... of `n_terms` terms."""
    if term.startswith("w") and int(term[1:]) < n_terms:
        return int(term[1:]) + 1
    return 0


def test_threads_share_a_large_vocabulary_lookup(monkeypatch):
    """The dict path for vocabularies above 65,536 terms is shared safely."""
    n_terms = _engines.LARGE_VOCABULARY + 10
    terms = [f"w{i}" for i in range(n_terms)]
    fitted = StringLookupTransformer(engine="arrow", vocabulary=terms).fit([["w1"]])
    batches = [
        [[f"w{(i * 7919 + r * 31) % 70_000}"] for r in range(300)] + [["zz"]]
        for i in range(N_THREADS)
    ]
    expected = [
        np.array([[_large_vocabulary_index(row[0], n_terms)] for row in batch])
        for batch in batches
    ]
    shared = pickle.loads(pickle.dumps(fitted))
    calls = _count_constructions(monkeypatch, "arrow")

    results = _run_threads(lambda i: shared.transform(batches[i]))

    assert len(calls) == 1
    for out, want in zip(results, expected, strict=True):
        _assert_same(out, want)


@pytest.mark.parametrize("engine", ENGINES, ids=ENGINES)
def test_threads_loading_their_own_copies(monkeypatch, engine):
    """Threads that each load and use their own copy do not share or lose caches."""
    fitted = StringLookupTransformer(engine=engine, output_mode="count").fit(TRAIN)
    expected = [fitted.transform(X) for X in INPUTS]
    blob = pickle.dumps(fitted)
    calls = _count_constructions(monkeypatch, engine)

    def work(i):
        own = pickle.loads(blob)
        first = own.transform(INPUTS[i])
        second = own.transform(INPUTS[i])
        del own
        return first, second

    results = _run_threads(work)

    assert len(calls) == 2 * N_THREADS
    for (first, second), want in zip(results, expected, strict=True):
        _assert_same(first, want)
        _assert_same(second, want)
