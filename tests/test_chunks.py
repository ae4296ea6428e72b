"""Large inputs are looked up, encoded and counted in chunks of rows."""

import contextlib
import re
from unittest import mock

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import skstringlookup._encode as encode_module
import skstringlookup._transformer as transformer_module
import skstringlookup._vocabulary as vocabulary_module
from skstringlookup import StringLookupTransformer

TERMS = ["a", "b", "c", "d", "é", "", "b\x00"]


@contextlib.contextmanager
def tiny_chunks(rows):
    """Every chunk size set to `rows`, for the time of a with block."""
    with contextlib.ExitStack() as stack:
        stack.enter_context(mock.patch.object(encode_module, "CHUNK_ROWS", rows))
        stack.enter_context(mock.patch.object(transformer_module, "CHUNK_ROWS", rows))
        stack.enter_context(
            mock.patch.object(vocabulary_module, "DOC_CHUNK_ROWS", rows)
        )
        yield


def outcome(call):
    """What `call` returns, or the message of the ValueError it raises."""
    try:
        return "ok", call()
    except ValueError as exc:
        return "error", str(exc)


def dense(out):
    """A sparse output as a dense array."""
    return out.toarray() if hasattr(out, "toarray") else out


@st.composite
def frames(draw):
    """A DataFrame of one to three text columns with missing cells."""
    n_cols = draw(st.integers(1, 3))
    cell = st.one_of(st.sampled_from(TERMS), st.none())
    rows = draw(
        st.lists(
            st.lists(cell, min_size=n_cols, max_size=n_cols), min_size=1, max_size=25
        )
    )
    return pd.DataFrame(rows, columns=["x", "y", "z"][:n_cols], dtype=object)


@settings(max_examples=120, deadline=None)
@given(
    fit_frame=frames(),
    rows=st.integers(1, 4),
    mode=st.sampled_from(["int", "one_hot", "multi_hot", "count", "tf_idf"]),
    sparse=st.booleans(),
    shared=st.booleans(),
    mask=st.sampled_from([None, "a"]),
    k=st.integers(0, 2),
)
def test_chunks_give_the_output_of_one_pass(
    fit_frame, rows, mode, sparse, shared, mask, k
):
    """Outputs, vocabularies, weights and errors do not depend on the chunk size."""
    params = {
        "output_mode": mode,
        "sparse": sparse and mode != "int",
        "shared_vocabulary": shared,
        "mask_token": mask,
        "num_oov_indices": k,
        "engine": "arrow",
    }
    X = pd.concat([fit_frame, fit_frame.iloc[::-1]], ignore_index=True)
    X.iloc[::3, 0] = "unseen"

    status, whole = outcome(lambda: StringLookupTransformer(**params).fit(fit_frame))
    with tiny_chunks(rows):
        chunked_status, chunked = outcome(
            lambda: StringLookupTransformer(**params).fit(fit_frame)
        )
    assert chunked_status == status
    if status == "error":
        assert chunked == whole
        return
    assert chunked.vocabularies_ == whole.vocabularies_
    for got, want in zip(
        chunked.__dict__.get("idf_weights_", []),
        whole.__dict__.get("idf_weights_", []),
        strict=True,
    ):
        np.testing.assert_array_equal(got, want)

    want = outcome(lambda: whole.transform(X))
    with tiny_chunks(rows):
        got = outcome(lambda: whole.transform(X))
    assert got[0] == want[0]
    if got[0] == "error":
        assert got[1] == want[1]
        return
    assert type(got[1]) is type(want[1])
    assert got[1].dtype == want[1].dtype
    np.testing.assert_array_equal(dense(got[1]), dense(want[1]))


def test_unseen_terms_are_counted_over_all_chunks():
    """The error names the cells of every chunk, not those of the first."""
    lookup = StringLookupTransformer(num_oov_indices=0, engine="arrow")
    lookup.fit(pd.DataFrame({"x": ["a"]}))
    X = pd.DataFrame({"x": ["a", "p", "a", "q", "a", "p", "r"]})
    message = "column 'x' has 4 cells whose terms are not in the vocabulary"

    with tiny_chunks(2), pytest.raises(ValueError, match=re.escape(message)):
        lookup.transform(X)


@pytest.mark.parametrize("mode", ["int", "count"], ids=["int", "count"])
def test_keras_engine_looks_up_in_chunks(mode):
    """The Keras engine gives the same output chunk by chunk."""
    X = pd.DataFrame({"x": ["a", "b", None, "zz", "b", "a", "c"]})
    lookup = StringLookupTransformer(output_mode=mode, num_oov_indices=2)
    want = dense(lookup.fit(X).transform(X))

    with tiny_chunks(2):
        got = dense(lookup.transform(X))

    np.testing.assert_array_equal(got, want)
