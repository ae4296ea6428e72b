"""partial_fit across chunks whose dtypes differ, and Dask with set_output."""

import dask.dataframe as dd
import numpy as np
import pandas as pd
import pytest

from skstringlookup import StringLookupTransformer

KIND_CHANGES = {
    "int_then_text": ([1, 2], ["1", "x"], "integer cells .* text cells"),
    "int_then_float": ([1, 2], [1.0, None], "integer cells .* float cells"),
    "text_then_int": (["1", "x"], [1, 2], "text cells .* integer cells"),
    "float_then_bool": ([0.5, 1.5], [True, False], "float cells .* bool cells"),
}


@pytest.mark.parametrize(
    ("first", "second", "kinds"), KIND_CHANGES.values(), ids=list(KIND_CHANGES)
)
def test_partial_fit_refuses_a_chunk_of_another_kind(first, second, kinds):
    """A column read as numbers in one chunk and text (or other numbers) in the
    next would be learned differently by one fit; it is refused, naming it."""
    lookup = StringLookupTransformer(engine="arrow")
    lookup.partial_fit(pd.DataFrame({"n": first}))

    with pytest.raises(ValueError, match=rf"column 'n' held {kinds}.*dtype=str"):
        lookup.partial_fit(pd.DataFrame({"n": second}))

    assert (
        lookup.vocabularies_
        == StringLookupTransformer().fit(pd.DataFrame({"n": first})).vocabularies_
    )


def test_partial_fit_accepts_all_missing_chunks_between_kinds():
    """An all-missing chunk has no kind and agrees with any."""
    lookup = StringLookupTransformer(engine="arrow")
    chunks = [["a", "b"], [None, None], ["b", "c"]]
    for chunk in chunks:
        lookup.partial_fit(pd.DataFrame({"c": pd.Series(chunk, dtype=object)}))

    whole = pd.DataFrame({"c": pd.Series(sum(chunks, []), dtype=object)})
    assert lookup.vocabularies_ == StringLookupTransformer().fit(whole).vocabularies_


def test_partial_fit_says_the_counts_are_kept_when_nothing_is_learned_yet():
    """An early chunk below min_frequency raises, saying how to go on."""
    lookup = StringLookupTransformer(engine="arrow", min_frequency=2)

    with pytest.raises(ValueError, match="counts of this chunk are kept"):
        lookup.partial_fit(pd.DataFrame({"c": ["a", "b"]}))
    lookup.partial_fit(pd.DataFrame({"c": ["a", "b"]}))

    assert lookup.vocabularies_ == [["b", "a"]]


@pytest.mark.parametrize("first", [True, False], ids=["first", "later"])
def test_partial_fit_refuses_an_empty_chunk(first):
    """An empty chunk is refused whether it comes first or later."""
    lookup = StringLookupTransformer(engine="arrow")
    if not first:
        lookup.partial_fit(pd.DataFrame({"c": ["a"]}))

    with pytest.raises(ValueError, match=r"0 sample\(s\)"):
        lookup.partial_fit(pd.DataFrame({"c": pd.Series([], dtype=object)}))


@pytest.mark.parametrize("output", ["pandas", "polars"], ids=str)
def test_dask_transform_refuses_set_output(output):
    """set_output would compute a lazy Dask result eagerly: a clear error instead."""
    frame = pd.DataFrame({"a": ["x", "y"] * 9}, index=np.arange(100, 118))
    ddf = dd.from_pandas(frame, npartitions=3)
    lookup = StringLookupTransformer(engine="arrow").fit(frame)
    lookup.set_output(transform=output)

    with pytest.raises(ValueError, match="set_output must be 'default' to transform"):
        lookup.transform(ddf)

    lookup.set_output(transform="default")
    assert lookup.transform(ddf).compute().index.tolist() == list(range(100, 118))
