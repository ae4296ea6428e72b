"""partial_fit: chunk by chunk, the same fit as one fit on all the rows."""

import pickle
import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sklearn.exceptions import NotFittedError

from skstringlookup import StringLookupTransformer

# A few terms, so that counts tie and cut-offs bite; "[UNK]" is the OOV token
# and "a" the mask when one is set: neither may be learned.
TERMS = ["a", "b", "c", "d", "é", "", "[UNK]", "b\x00"]
NAMES = ["x", "y", "z"]
NOTHING_TO_LEARN = "has no term to learn"


@st.composite
def chunked_frames(draw):
    """A DataFrame of text cells, and the row bounds that cut it into chunks."""
    n_cols = draw(st.integers(1, 3))
    cell = st.one_of(st.sampled_from(TERMS), st.none())
    rows = draw(
        st.lists(
            st.lists(cell, min_size=n_cols, max_size=n_cols), min_size=2, max_size=40
        )
    )
    frame = pd.DataFrame(rows, columns=NAMES[:n_cols], dtype=object)
    cuts = draw(st.lists(st.integers(1, len(rows) - 1), min_size=1, max_size=6))
    bounds = [0, *sorted(set(cuts)), len(rows)]
    return frame, bounds


@st.composite
def lookup_params(draw):
    """Parameters that change what is learned, and how it is output."""
    mask_token = draw(st.sampled_from([None, "a"]))
    num_oov_indices = draw(st.integers(0, 3))
    output_mode = draw(st.sampled_from(["int", "tf_idf", "count"]))
    reserved = num_oov_indices + (mask_token is not None and output_mode == "int")
    extra = draw(st.one_of(st.none(), st.integers(1, 4)))
    min_frequency = draw(st.one_of(st.none(), st.integers(1, 3), st.floats(0.01, 0.2)))
    return {
        "mask_token": mask_token,
        "num_oov_indices": num_oov_indices,
        "output_mode": output_mode,
        "max_tokens": None if extra is None else max(1, reserved) + extra,
        "min_frequency": min_frequency,
        "shared_vocabulary": draw(st.booleans()),
        "engine": "arrow",
    }


def outcome(call):
    """What `call` returns, or the type and message of the error it raises."""
    try:
        return "ok", call()
    except ValueError as exc:
        return "error", str(exc)


def assert_same_fit(fitted, expected):
    """Two fitted transformers hold the same vocabularies and weights."""
    assert fitted.vocabularies_ == expected.vocabularies_
    assert fitted.n_features_in_ == expected.n_features_in_
    np.testing.assert_array_equal(fitted.feature_names_in_, expected.feature_names_in_)
    weights = fitted.__dict__.get("idf_weights_")
    expected_weights = expected.__dict__.get("idf_weights_")
    assert (weights is None) == (expected_weights is None)
    for got, want in zip(weights or [], expected_weights or [], strict=True):
        assert got.dtype == want.dtype
        np.testing.assert_array_equal(got, want)


def assert_same_output(fitted, expected, X):
    """Both transform `X` alike, or raise the same error."""
    got, want = (
        outcome(lambda: fitted.transform(X)),
        outcome(lambda: expected.transform(X)),
    )
    assert got[0] == want[0]
    if got[0] == "error":
        assert got[1] == want[1]
    else:
        assert got[1].dtype == want[1].dtype
        np.testing.assert_array_equal(got[1], want[1])


def assert_same_counts(got, want):
    """Two lists of TermCounts hold the same terms and numbers."""
    assert len(got) == len(want)
    for g, w in zip(got, want, strict=True):
        assert g.terms.equals(w.terms)
        np.testing.assert_array_equal(g.counts, w.counts)
        np.testing.assert_array_equal(g.doc_counts, w.doc_counts)
        assert (g.n_docs, g.n_cells) == (w.n_docs, w.n_cells)


@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow],
)
@given(chunked=chunked_frames(), params=lookup_params(), data=st.data())
def test_partial_fit_equals_fit_on_the_rows_so_far(chunked, params, data):
    """After every chunk, vocabularies, weights and outputs equal one fit.

    A cut after which ``fit`` itself would find nothing to learn is skipped
    (the chunk runs on to the next cut);
    ``test_chunk_with_nothing_to_learn_yet_keeps_its_counts`` covers it.
    """
    frame, bounds = chunked
    lookup = StringLookupTransformer(**params)
    start, n_chunks = 0, 0

    for end in bounds[1:]:
        prefix = frame.iloc[:end]
        status, expected = outcome(
            lambda p=prefix: StringLookupTransformer(**params).fit(p)
        )
        if status == "error":
            assert NOTHING_TO_LEARN in expected
            continue
        if data.draw(st.booleans(), label="pickle before the chunk"):
            lookup = pickle.loads(pickle.dumps(lookup))

        lookup.partial_fit(frame.iloc[start:end])

        assert_same_fit(lookup, expected)
        assert_same_output(lookup, expected, frame)
        start, n_chunks = end, n_chunks + 1
    event(f"{n_chunks} chunks fitted, all rows: {start == len(frame)}")


def test_term_counts_survive_pickling():
    """Pickles keep the counts, so that partial_fit goes on after loading."""
    frame = pd.DataFrame({"x": ["a", "b", None, "b"], "y": ["c", "c", "b", "d"]})
    lookup = StringLookupTransformer(engine="arrow", shared_vocabulary=True)
    lookup.partial_fit(frame.iloc[:3])

    loaded = pickle.loads(pickle.dumps(lookup))
    loaded.partial_fit(frame.iloc[3:])
    lookup.partial_fit(frame.iloc[3:])

    assert_same_counts(loaded._term_counts, lookup._term_counts)
    assert loaded._term_counts[0].n_docs == 4
    assert loaded._term_counts[0].n_cells == 7
    assert loaded.vocabularies_ == [["b", "c", "d", "a"]]


def test_fit_keeps_no_term_counts():
    """fit forgets the counts; partial_fit keeps them."""
    frame = pd.DataFrame({"x": ["a", "b", "b"]})
    lookup = StringLookupTransformer(engine="arrow")

    lookup.partial_fit(frame)
    assert len(lookup._term_counts) == 1
    lookup.fit(frame)

    assert "_term_counts" not in lookup.__dict__
    assert "_term_counts" not in lookup.__getstate__()


def test_partial_fit_after_fit_starts_over():
    """The rows given to fit are not counted by a later partial_fit."""
    first = pd.DataFrame({"x": ["a", "a", "a", "b"]})
    second = pd.DataFrame({"x": ["c", "b", "c"]})
    lookup = StringLookupTransformer(engine="arrow").fit(first)

    lookup.partial_fit(second)

    assert lookup.vocabularies_ == [["c", "b"]]
    assert lookup._term_counts[0].n_docs == 3


def test_partial_fit_refuses_a_vocabulary():
    """partial_fit learns; a given vocabulary is for fit."""
    lookup = StringLookupTransformer(vocabulary=["a"], engine="arrow")
    message = "partial_fit learns a vocabulary, so vocabulary must be None"

    with pytest.raises(ValueError, match=re.escape(message)):
        lookup.partial_fit(pd.DataFrame({"x": ["a"]}))


@pytest.mark.parametrize(
    ("second", "message"),
    [
        (
            np.array([["a", "b", "c"]], dtype=object),
            "X has 3 features, but StringLookupTransformer is expecting 2 features",
        ),
        (
            pd.DataFrame({"x": ["a"], "w": ["b"]}),
            "The feature names should match those that were passed during fit",
        ),
    ],
    ids=["column_count", "column_names"],
)
def test_later_chunks_must_have_the_same_columns(second, message):
    """The checks are scikit-learn's feature-count and feature-name checks."""
    first = pd.DataFrame({"x": ["a"], "y": ["b"]})
    if isinstance(second, np.ndarray):
        first = first.to_numpy()
    lookup = StringLookupTransformer(engine="arrow").partial_fit(first)

    with pytest.raises(ValueError, match=re.escape(message)):
        lookup.partial_fit(second)


def test_chunks_read_from_a_csv_file(tmp_path):
    """pandas.read_csv(chunksize=...) feeds partial_fit; dtype=str keeps text."""
    # Codes 1 to 4, read as numbers, would be 1.0 to 4.0 in the chunks that
    # hold a missing cell: dtype=str reads every chunk alike.
    frame = pd.DataFrame(
        {
            "city": ["Oslo", "Lima", "Pune", "Oslo", "Kyiv", "Lima", "Oslo"] * 15,
            "code": [1, 2, 3, 1, 2, 1, 4] * 15,
        },
        dtype=object,
    )
    frame.loc[[5, 50], "code"] = None
    path = tmp_path / "rows.csv"
    frame.to_csv(path, index=False)
    params = {"engine": "arrow", "output_mode": "tf_idf", "max_tokens": 4}
    lookup = StringLookupTransformer(**params)

    for chunk in pd.read_csv(path, chunksize=20, dtype=str):
        lookup.partial_fit(chunk)

    whole = pd.read_csv(path, dtype=str)
    assert_same_fit(lookup, StringLookupTransformer(**params).fit(whole))
    # Ties go to the larger term, as in Keras: "Pune" before "Kyiv", "4" before "3".
    assert lookup.vocabularies_ == [["Oslo", "Lima", "Pune"], ["1", "2", "4"]]


def test_chunk_with_nothing_to_learn_yet_keeps_its_counts():
    """A chunk that leaves nothing to learn raises, yet its counts are kept.

    No term reaches min_frequency after the first chunk, so partial_fit raises
    as fit on that chunk would, and the transformer is unfitted; the second
    chunk brings a term, and the fit equals one fit on both chunks.
    """
    params = {"engine": "arrow", "min_frequency": 2, "output_mode": "tf_idf"}
    lookup = StringLookupTransformer(**params)

    with pytest.raises(ValueError, match=NOTHING_TO_LEARN):
        lookup.partial_fit(pd.DataFrame({"x": ["p", "q"]}))
    with pytest.raises(NotFittedError, match="is not fitted yet"):
        lookup.transform(pd.DataFrame({"x": ["p"]}))
    lookup.partial_fit(pd.DataFrame({"x": ["q", "r"]}))

    whole = pd.DataFrame({"x": ["p", "q", "q", "r"]})
    assert_same_fit(lookup, StringLookupTransformer(**params).fit(whole))
    assert lookup._term_counts[0].n_docs == 4


def test_transform_after_a_failed_fit_says_not_fitted():
    """A fit that raised leaves the transformer unfitted."""
    lookup = StringLookupTransformer(engine="arrow", mask_token="m")
    with pytest.raises(ValueError, match=NOTHING_TO_LEARN):
        lookup.fit(pd.DataFrame({"x": ["m"]}))

    with pytest.raises(NotFittedError, match="is not fitted yet"):
        lookup.transform(pd.DataFrame({"x": ["m"]}))


def test_partial_fit_refuses_a_change_of_shared_vocabulary():
    """Counts per column and counts shared cannot be added up."""
    frame = pd.DataFrame({"x": ["a"], "y": ["b"]})
    lookup = StringLookupTransformer(engine="arrow").partial_fit(frame)
    lookup.set_params(shared_vocabulary=True)

    with pytest.raises(ValueError, match="shared_vocabulary must stay False"):
        lookup.partial_fit(frame)
