"""Random sequences of calls on one transformer, checked against a small model.

A Hypothesis state machine fits, refits, transforms, inverts, pickles and
reconfigures one StringLookupTransformer. A plain-Python model of the Keras
rules (vocabulary order, index layout, encodings) predicts every output and
every error: only documented errors, with the package's messages, may occur.
"""

import copy
import math
import pickle
import re
from collections import Counter

import farmhash
import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    rule,
    run_state_machine_as_test,
)
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from skstringlookup import StringLookupTransformer

HAS_PARTIAL_FIT = hasattr(StringLookupTransformer, "partial_fit")

NAMES = ["p", "q"]
TERMS = ["a", "b", "c", "", "ab\x00", "ab", "é", "e\u0301", " a", "a\nb", "A"]
SPECIAL = ["[UNK]", "[MASK]", "<oov>"]
MODES = ["int", "one_hot", "multi_hot", "count", "tf_idf"]

CELLS = st.one_of(
    st.sampled_from(TERMS),
    st.sampled_from(SPECIAL),
    st.none(),
    st.text(st.characters(codec="utf-8"), max_size=3),
)

# Values that are wrong whatever the other parameters are.
BAD_VALUES = [
    ("output_mode", "ints"),
    ("output_mode", None),
    ("invert", "yes"),
    ("sparse", 1),
    ("pad_to_max_tokens", "no"),
    ("shared_vocabulary", None),
    ("mask_token", 0),
    ("oov_token", None),
    ("num_oov_indices", -1),
    ("num_oov_indices", 1.5),
    ("handle_missing", "drop"),
    ("engine", "torch"),
    ("encoding", "no-such-codec"),
    ("dtype", "nope"),
    ("dtype", object),
    ("min_frequency", 0),
    ("min_frequency", 1.5),
    ("max_tokens", 0),
    ("max_tokens", "3"),
]

# Errors about the data or the fitted state that the documentation promises.
NO_TERM = r"has no term to learn: .*pass a vocabulary"
MISSING_ERROR = r"column '[pq]' has \d+ missing cells \(None, NaN or pd\.NA\)"
UNSEEN_NO_OOV = r"column '[pq]' has \d+ cells whose terms are not in the vocabulary"
MISSING_NO_OOV = r"column '[pq]' has \d+ missing cells, and with num_oov_indices=0"
STATE = r"(vocabularies_|idf_weights_).*Refit the transformer|vocabularies_\[\d\]"
NOT_INT = r"inverse_transform needs output_mode='int'"


@st.composite
def valid_params(draw, engine):
    """A consistent set of parameters."""
    mode = draw(st.sampled_from(MODES))
    invert = mode == "int" and draw(st.integers(0, 3)) == 0
    k = draw(st.integers(0, 3))
    mask = draw(st.sampled_from([None, None, "[MASK]", ""]))
    reserved = k + (1 if mask is not None and mode == "int" else 0)
    # Keras wants max_tokens > 1, and room for one term after the reserved slots.
    low = max(2, reserved + 1)
    max_tokens = draw(st.one_of(st.none(), st.integers(low, reserved + 5)))
    dtypes = [None, None, "float64"] + (["int32"] if mode != "tf_idf" else [])
    return {
        "output_mode": mode,
        "invert": invert,
        "num_oov_indices": k,
        "mask_token": mask,
        "oov_token": draw(st.sampled_from(["[UNK]", "[UNK]", "<oov>"])),
        "max_tokens": max_tokens,
        "pad_to_max_tokens": (
            mode != "int" and max_tokens is not None and draw(st.booleans())
        ),
        "sparse": mode != "int" and draw(st.booleans()),
        "handle_missing": draw(
            st.sampled_from(["oov", "oov", "error"] + (["mask"] if mask else []))
        ),
        "shared_vocabulary": draw(st.booleans()),
        "min_frequency": draw(st.sampled_from([None, None, 1, 2, 0.1, 0.3])),
        "dtype": None if invert else draw(st.sampled_from(dtypes)),
        "engine": engine,
        "vocabulary": None,
        "idf_weights": None,
        "encoding": "utf-8",
    }


# The model ---------------------------------------------------------------------------


def _reserved(p, *, int_layout):
    mask = 1 if p["mask_token"] is not None and int_layout else 0
    return mask + p["num_oov_indices"]


def learn(chunks, p):
    """Vocabularies and tf-idf weights of one fit on all `chunks` (lists of columns)."""
    n_cols = len(chunks[0])
    columns = [sum((chunk[j] for chunk in chunks), []) for j in range(n_cols)]
    n_rows = len(columns[0])
    vocabularies, weights = [], []
    block_columns = [columns] if p["shared_vocabulary"] else [[c] for c in columns]
    for group in block_columns:
        cells = [cell for column in group for cell in column if cell is not None]
        counts = Counter(cells)
        for special in (p["mask_token"], p["oov_token"]):
            counts.pop(special, None)
        mf = p["min_frequency"]
        if isinstance(mf, float):
            counts = Counter({t: c for t, c in counts.items() if c >= mf * len(cells)})
        elif mf is not None:
            counts = Counter({t: c for t, c in counts.items() if c >= mf})
        terms = sorted(counts, key=lambda t: (counts[t], t.encode()), reverse=True)
        if p["max_tokens"] is not None:
            int_layout = p["output_mode"] == "int"
            terms = terms[: p["max_tokens"] - _reserved(p, int_layout=int_layout)]
        if not terms:
            return None
        vocabularies.append(terms)
        rows = [{col[r] for col in group} for r in range(n_rows)]
        df = np.array([sum(t in row for row in rows) for t in terms], np.float64)
        w = np.log(1.0 + n_rows / (1.0 + df)).astype(np.float32)
        oov = np.float32(w.astype(np.float64).mean())
        weights.append(
            np.concatenate([np.full(p["num_oov_indices"], oov, np.float32), w])
        )
    return vocabularies, weights


def state_problem(p, vocabularies, weights, n_cols):
    """Whether these parameters cannot use this fitted state."""
    n_blocks = 1 if p["shared_vocabulary"] else n_cols
    if len(vocabularies) != n_blocks:
        return True
    int_layout = p["output_mode"] == "int"
    for terms in vocabularies:
        if p["mask_token"] in terms or p["oov_token"] in terms:
            return True
        if p["max_tokens"] is not None and len(terms) > p["max_tokens"] - _reserved(
            p, int_layout=int_layout
        ):
            return True
    if p["output_mode"] == "tf_idf":
        if weights is None or len(weights) != n_blocks:
            return True
        k = p["num_oov_indices"]
        return any(
            len(w) != k + len(t) for w, t in zip(weights, vocabularies, strict=True)
        )
    return False


def int_index(cell, terms, p):
    """The int-layout index of one cell, or 'missing' / 'unseen'."""
    start = 1 if p["mask_token"] is not None else 0
    k = p["num_oov_indices"]
    if cell is None:
        return "missing"
    if p["mask_token"] is not None and cell == p["mask_token"]:
        return 0
    if cell in terms:
        return start + k + terms.index(cell)
    if k == 0:
        return "unseen"
    return start + farmhash.fingerprint64(cell.encode("utf-8")) % k


def expected_lookup(columns, p, vocabularies):
    """Int-layout indices per column, or the regex of the expected error."""
    if p["handle_missing"] == "error" and any(None in c for c in columns):
        return MISSING_ERROR
    out = []
    for j, column in enumerate(columns):
        terms = vocabularies[0 if p["shared_vocabulary"] else j]
        indices = [int_index(cell, terms, p) for cell in column]
        if "unseen" in indices:
            return UNSEEN_NO_OOV
        if "missing" in indices:
            if p["handle_missing"] == "mask":
                fill = 0
            elif p["num_oov_indices"] == 0:
                return MISSING_NO_OOV
            else:
                fill = 1 if p["mask_token"] is not None else 0
            indices = [fill if i == "missing" else i for i in indices]
        out.append(indices)
    return np.array(out, dtype=np.int64).T


def encode(indices, p, vocabularies, weights):
    """The output of a non-int mode from int-layout indices."""
    n_rows, n_cols = indices.shape
    shift = 1 if p["mask_token"] is not None else 0
    k = p["num_oov_indices"]
    depths = [
        p["max_tokens"] if p["pad_to_max_tokens"] else k + len(v) for v in vocabularies
    ]
    parts = []
    if p["output_mode"] == "one_hot":
        for j in range(n_cols):
            b = 0 if p["shared_vocabulary"] else j
            part = np.zeros((n_rows, depths[b]), np.int64)
            for r in range(n_rows):
                if indices[r, j] - shift >= 0:
                    part[r, indices[r, j] - shift] = 1
            parts.append(part)
        return np.hstack(parts)
    groups = [range(n_cols)] if p["shared_vocabulary"] else [[j] for j in range(n_cols)]
    for b, group in enumerate(groups):
        part = np.zeros((n_rows, depths[b]), np.int64)
        for r in range(n_rows):
            for j in group:
                if indices[r, j] - shift >= 0:
                    part[r, indices[r, j] - shift] += 1
        if p["output_mode"] == "multi_hot":
            part = np.minimum(part, 1)
        elif p["output_mode"] == "tf_idf":
            w = np.zeros(depths[b], np.float32)
            w[: len(weights[b])] = weights[b]
            part = part.astype(np.float32) * w
        parts.append(part)
    return np.hstack(parts)


def _frame(columns, container):
    names = NAMES[: len(columns)]
    dtype = "str" if container == "str" else object
    return pd.DataFrame(
        {n: pd.Series(c, dtype=dtype) for n, c in zip(names, columns, strict=True)}
    )


def _check_error(exc, pattern):
    assert isinstance(exc, (ValueError, TypeError, NotFittedError)), repr(exc)
    assert re.search(pattern, str(exc)), f"{pattern!r} not in {exc!r}"


class LookupMachine(RuleBasedStateMachine):
    """One transformer driven through random calls; `model` says what must happen."""

    engine = "arrow"

    def __init__(self):
        super().__init__()
        self.est = StringLookupTransformer(engine=self.engine)
        self.params = self.est.get_params()
        self.bad = {}
        # Columns of the last successful fit; None when unfitted; "unknown"
        # after partial_fit found no term (then the transformer may keep its
        # previous vocabulary or drop it).
        self.fitted = None
        self.chunks = []  # the partial_fit chunks since the counts were reset
        self.chunk_shared = None

    # Helpers -------------------------------------------------------------------------

    def _call(self, expected_error, method, *args):
        """Call `method`; assert it raises `expected_error` (a regex) or not."""
        try:
            out = method(*args)
        except Exception as exc:  # noqa: BLE001 - checked against the model
            if expected_error is None:
                raise
            _check_error(exc, expected_error)
            return None
        assert expected_error is None, f"expected an error matching {expected_error}"
        return out

    def _n_fitted(self):
        if self.fitted == "unknown":
            if "vocabularies_" in self.est.__dict__:
                return self.est.n_features_in_
            return None
        return self.fitted

    def _bad_pattern(self):
        return "|".join(rf"\b{re.escape(name)}\b" for name in self.bad)

    def _draw_columns(self, data, n_cols, max_rows=12):
        n_rows = data.draw(st.integers(1, max_rows), label="rows")
        return [
            data.draw(st.lists(CELLS, min_size=n_rows, max_size=n_rows), label="cells")
            for _ in range(n_cols)
        ]

    # Rules ---------------------------------------------------------------------------

    @rule(params=st.data())
    def set_valid_params(self, params):
        """Replace every parameter by a consistent, valid set."""
        new = params.draw(valid_params(self.engine), label="params")
        assert self.est.set_params(**new) is self.est
        self.params = new
        self.bad = {}

    @rule(bad=st.sampled_from(BAD_VALUES))
    def set_bad_param(self, bad):
        """Set one parameter to a wrong value; set_params itself accepts it."""
        name, value = bad
        self.est.set_params(**{name: value})
        self.bad[name] = value

    @rule(data=st.data())
    def fit(self, data):
        """fit learns the model's vocabulary, or raises the predicted error."""
        n_cols = data.draw(st.integers(1, 2), label="n_cols")
        columns = self._draw_columns(data, n_cols, max_rows=40)
        container = data.draw(st.sampled_from(["object", "str"]), label="container")
        X = _frame(columns, container)

        if self.bad:
            self._call(self._bad_pattern(), self.est.fit, X)
            return
        p = self.params
        learned = learn([columns], p)
        if p["handle_missing"] == "error" and any(None in c for c in columns):
            expected = MISSING_ERROR
        elif learned is None:
            expected = NO_TERM
        else:
            expected = None

        out = self._call(expected, self.est.fit, X)

        self.chunks = []
        if out is None:
            self.fitted = None
            return
        assert out is self.est
        self.fitted = n_cols
        self._check_fitted_attributes(learned)

    @rule(data=st.data())
    def partial_fit(self, data):
        """partial_fit equals one fit on every chunk so far, when it exists."""
        if not hasattr(self.est, "partial_fit"):
            return
        n_cols = len(self.chunks[0]) if self.chunks else data.draw(st.integers(1, 2))
        columns = self._draw_columns(data, n_cols)
        X = _frame(columns, "object")

        if self.bad:
            self._call(self._bad_pattern(), self.est.partial_fit, X)
            return
        p = self.params
        has_missing = any(None in c for c in columns)
        refused = p["handle_missing"] == "error" and has_missing
        if (
            self.chunks
            and len(self.chunks[0]) > 1
            and p["shared_vocabulary"] != self.chunk_shared
        ):
            # Counts of one shared block cannot merge with per-column counts.
            expected = r"shared_vocabulary" + (f"|{MISSING_ERROR}" if refused else "")
            self._call(expected, self.est.partial_fit, X)
            return
        if refused:
            self._call(MISSING_ERROR, self.est.partial_fit, X)
            if not self.chunks:
                # A first partial_fit starts over, as fit does: a rejected one
                # leaves the transformer unfitted, a later one leaves it as it was.
                self.fitted = None
            return

        if not self.chunks:
            self.chunk_shared = p["shared_vocabulary"]
        self.chunks.append(columns)
        learned = learn(self.chunks, p)
        out = self._call(None if learned else NO_TERM, self.est.partial_fit, X)

        if out is None:
            self.fitted = "unknown"
            return
        self.fitted = n_cols
        self._check_fitted_attributes(learned)

    @rule(data=st.data())
    def transform(self, data):
        """transform gives the model's output: values, shape, dtype, names."""
        fitted = self._n_fitted()
        n_cols = fitted or data.draw(st.integers(1, 2), label="n_cols")
        p = self.params
        if fitted and not self.bad and p["invert"]:
            self._check_invert(data, n_cols)
            return
        columns = self._draw_columns(data, n_cols, max_rows=40)
        container = data.draw(st.sampled_from(["object", "str"]), label="container")
        X = _frame(columns, container)

        if fitted is None:
            self._call(r"not fitted yet", self.est.transform, X)
            return
        if self.bad:
            self._call(self._bad_pattern(), self.est.transform, X)
            return
        vocabularies = self.est.vocabularies_
        weights = getattr(self.est, "idf_weights_", None)
        if state_problem(p, vocabularies, weights, n_cols):
            self._call(STATE, self.est.transform, X)
            return
        indices = expected_lookup(columns, p, vocabularies)
        if isinstance(indices, str):
            self._call(indices, self.est.transform, X)
            return

        out = self.est.transform(X)

        if p["output_mode"] == "int":
            expected = indices
            default = np.int64
        else:
            expected = encode(indices, p, vocabularies, weights)
            default = np.float32 if p["output_mode"] == "tf_idf" else np.int64
        assert sp.issparse(out) == p["sparse"]
        if p["sparse"]:
            assert out.format == "csr"
            out = out.toarray()
        assert out.dtype == np.dtype(p["dtype"] or default)
        assert out.shape == expected.shape
        np.testing.assert_array_equal(out, expected.astype(out.dtype))
        assert len(self.est.get_feature_names_out()) == out.shape[1]

    @rule(data=st.data())
    def inverse_transform(self, data):
        """Known terms come back from their indices; other indices are oov_token."""
        p = self.params
        fitted = self._n_fitted()
        if fitted is None:
            self._call(r"not fitted yet", self.est.inverse_transform, [[1]])
            return
        ones = [[1] * fitted]
        if self.bad:
            self._call(self._bad_pattern(), self.est.inverse_transform, ones)
            return
        vocabularies = self.est.vocabularies_
        weights = getattr(self.est, "idf_weights_", None)
        if state_problem(p, vocabularies, weights, fitted):
            self._call(STATE, self.est.inverse_transform, ones)
            return
        if p["output_mode"] != "int":
            self._call(NOT_INT, self.est.inverse_transform, ones)
            return

        n_rows = data.draw(st.integers(1, 10), label="rows")
        columns = []
        for j in range(fitted):
            terms = vocabularies[0 if p["shared_vocabulary"] else j]
            cells = st.lists(st.sampled_from(terms), min_size=n_rows, max_size=n_rows)
            columns.append(data.draw(cells, label="known terms"))
        X = _frame(columns, "object")
        if p["invert"]:
            # Inverted: inverse_transform maps terms to int-layout indices.
            out = self.est.inverse_transform(X)
            expected = expected_lookup(columns, p, vocabularies)
            np.testing.assert_array_equal(out, expected)
            assert out.dtype == np.int64
            return

        # Round trip of known terms: transform, then inverse_transform.
        indices = self.est.transform(X)
        back = self.est.inverse_transform(_frame(indices.T.tolist(), "object"))
        assert back.tolist() == np.array(columns, dtype=object).T.tolist()
        assert all(type(cell) is str for cell in back.ravel())

        # Any index: reserved slots and outsiders map to the special tokens.
        raw = [
            data.draw(
                st.lists(st.integers(-3, 20), min_size=n_rows, max_size=n_rows),
                label="indices",
            )
            for _ in range(fitted)
        ]
        out = self.est.inverse_transform(_frame(raw, "object"))
        assert out.tolist() == self._layout_terms(raw, p, vocabularies)

    @rule()
    def pickle_round_trip(self):
        """A pickled and reloaded transformer is the same transformer."""
        self.est = pickle.loads(pickle.dumps(self.est))

    @rule()
    def deepcopy(self):
        """A deep copy is the same transformer too."""
        self.est = copy.deepcopy(self.est)

    @rule()
    def clone(self):
        """clone keeps the parameters, bad ones too, and drops the fit."""
        self.est = clone(self.est)
        self.fitted = None
        self.chunks = []

    @invariant()
    def parameters_are_kept(self):
        """get_params returns what set_params stored, bad values included."""
        params = self.est.get_params()
        for name, value in {**self.params, **self.bad}.items():
            if isinstance(value, float) and math.isnan(value):
                continue
            assert params[name] == value or params[name] is value, name

    # Checks --------------------------------------------------------------------------

    def _check_fitted_attributes(self, learned):
        vocabularies, weights = learned
        assert self.est.vocabularies_ == vocabularies
        assert all(type(t) is str for v in self.est.vocabularies_ for t in v)
        if self.params["output_mode"] == "tf_idf":
            assert len(self.est.idf_weights_) == len(weights)
            for got, want in zip(self.est.idf_weights_, weights, strict=True):
                assert got.dtype == np.float32
                np.testing.assert_array_equal(got, want)
        else:
            assert not hasattr(self.est, "idf_weights_")

    def _layout_terms(self, raw, p, vocabularies):
        rows = []
        for r in range(len(raw[0])):
            row = []
            for j, column in enumerate(raw):
                terms = vocabularies[0 if p["shared_vocabulary"] else j]
                special = [p["oov_token"]] * p["num_oov_indices"]
                if p["mask_token"] is not None:
                    special = [p["mask_token"]] + special
                layout = special + terms
                i = column[r]
                row.append(layout[i] if 0 <= i < len(layout) else p["oov_token"])
            rows.append(row)
        return rows

    def _check_invert(self, data, n_cols):
        p = self.params
        vocabularies = self.est.vocabularies_
        if state_problem(p, vocabularies, None, n_cols):
            self._call(STATE, self.est.transform, [[1] * n_cols])
            return
        n_rows = data.draw(st.integers(1, 10), label="rows")
        raw = [
            data.draw(
                st.lists(st.integers(-3, 20), min_size=n_rows, max_size=n_rows),
                label="indices",
            )
            for _ in range(n_cols)
        ]
        out = self.est.transform(_frame(raw, "object"))
        assert out.tolist() == self._layout_terms(raw, p, vocabularies)
        assert len(self.est.get_feature_names_out()) == n_cols


class KerasLookupMachine(LookupMachine):
    """The same machine on the Keras engine."""

    engine = "keras"


# Shrinking a failing call sequence can take minutes on a busy machine; the
# failing sequence is printed unshrunk. Add Phase.shrink to shrink it locally.
FUZZ_SETTINGS = {
    "phases": (Phase.explicit, Phase.reuse, Phase.generate),
    "deadline": None,
    "database": None,
    "report_multiple_bugs": False,
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.filter_too_much],
}


def test_random_call_sequences_arrow():
    """Random call sequences on the Arrow engine raise only documented errors."""
    run_state_machine_as_test(
        LookupMachine,
        settings=settings(max_examples=60, stateful_step_count=25, **FUZZ_SETTINGS),
    )


def test_random_call_sequences_keras():
    """A shorter random run on the Keras engine, which builds real layers."""
    pytest.importorskip("tensorflow")
    run_state_machine_as_test(
        KerasLookupMachine,
        settings=settings(max_examples=8, stateful_step_count=12, **FUZZ_SETTINGS),
    )


# Sequences the machine found, replayed on their own -----------------------------------

needs_partial_fit = pytest.mark.skipif(not HAS_PARTIAL_FIT, reason="no partial_fit")


@needs_partial_fit
def test_partial_fit_keeps_a_chunk_without_frequent_terms():
    """A chunk refused for having no frequent term yet still counts later."""
    est = StringLookupTransformer(engine="arrow", min_frequency=2)
    chunk = pd.DataFrame({"p": ["a", "b"]})
    with pytest.raises(ValueError, match=NO_TERM):
        est.partial_fit(chunk)

    est.partial_fit(chunk)

    assert est.vocabularies_ == [["b", "a"]]


@needs_partial_fit
def test_partial_fit_refuses_a_changed_shared_vocabulary():
    """Counts of two columns cannot go on as one shared block: a clear error."""
    X = pd.DataFrame({"p": ["a", "b"], "q": ["x", "y"]})
    est = StringLookupTransformer(engine="arrow").partial_fit(X)
    est.set_params(shared_vocabulary=True)

    with pytest.raises(ValueError, match=r"shared_vocabulary.*\bfit\b"):
        est.partial_fit(X)
    assert est.vocabularies_ == [["b", "a"], ["y", "x"]]


@needs_partial_fit
def test_partial_fit_refused_first_chunk_leaves_no_half_fit():
    """A first partial_fit refused for its data leaves an unfitted transformer."""
    X = pd.DataFrame({"p": ["a", "b"]})
    est = StringLookupTransformer(engine="arrow", handle_missing="error").fit(X)
    with pytest.raises(ValueError, match=MISSING_ERROR):
        est.partial_fit(pd.DataFrame({"p": ["a", None]}))

    with pytest.raises(NotFittedError, match="not fitted yet"):
        est.transform(X)
