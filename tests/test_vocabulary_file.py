"""save_vocabulary: Keras' one-term-per-line vocabulary files."""

import re

import numpy as np
import pandas as pd
import pytest

from skstringlookup import StringLookupTransformer
from skstringlookup._vocabulary_file import LINE_BREAKS, save_vocabulary

PETS = pd.DataFrame(
    {
        "pet": ["cat", "dog", "bird", "cat", "fish", "dog"],
        "city": ["Oslo", "Rome", "Oslo", "Lima", "Oslo", "Rome"],
    }
)
# Terms a file holds exactly: no line break, not empty.
SAFE_ODD_TERMS = ["ab\x00", "ab", "a\x00b", "\x00", " sp ", "\ttab", "é", "日本", "🙂"]
SETTINGS = {
    "default": {},
    "mask": {"mask_token": "[MASK]"},
    "three_oov": {"num_oov_indices": 3},
    "mask_three_oov": {"mask_token": "", "num_oov_indices": 3},
}


def test_save_vocabulary_writes_terms_only(tmp_path):
    """The file holds the terms in index order, UTF-8, one per line."""
    est = StringLookupTransformer(mask_token="", engine="arrow").fit(PETS)
    path = tmp_path / "pet.txt"

    est.save_vocabulary(path, column="pet")

    assert path.read_bytes() == b"dog\ncat\nfish\nbird\n"


def test_save_vocabulary_column_by_position(tmp_path):
    """A column can be chosen by position, and a str path works."""
    est = StringLookupTransformer(engine="arrow").fit(PETS)
    path = tmp_path / "city.txt"

    est.save_vocabulary(str(path), 1)

    assert path.read_text(encoding="utf-8") == "Oslo\nRome\nLima\n"


@pytest.mark.parametrize("params", SETTINGS.values(), ids=SETTINGS.keys())
def test_save_vocabulary_round_trip_transformer(params, tmp_path):
    """A transformer reading the file has the same vocabulary and output."""
    X = pd.DataFrame({"c": SAFE_ODD_TERMS + ["ab", "é"]})
    est = StringLookupTransformer(engine="arrow", **params).fit(X)
    path = tmp_path / "vocabulary.txt"

    est.save_vocabulary(path)
    again = StringLookupTransformer(vocabulary=path, engine="arrow", **params)
    again.fit(X)

    assert again.vocabularies_ == est.vocabularies_
    queries = pd.DataFrame({"c": [*SAFE_ODD_TERMS, "zz", "", "[MASK]", "a"]})
    np.testing.assert_array_equal(again.transform(queries), est.transform(queries))


@pytest.mark.parametrize("params", SETTINGS.values(), ids=SETTINGS.keys())
def test_save_vocabulary_round_trip_keras(params, tmp_path):
    """A Keras layer reading the file looks terms up as transform does."""
    tf = pytest.importorskip("tensorflow")
    X = pd.DataFrame({"c": SAFE_ODD_TERMS + ["ab", "é"]})
    est = StringLookupTransformer(engine="arrow", **params).fit(X)
    path = tmp_path / "vocabulary.txt"

    est.save_vocabulary(path)
    layer = tf.keras.layers.StringLookup(vocabulary=str(path), **params)

    queries = [*SAFE_ODD_TERMS, "zz", "", "[MASK]", "a"]
    out = np.asarray(layer(np.array([[q] for q in queries], dtype=object)))
    np.testing.assert_array_equal(out, est.transform(pd.DataFrame({"c": queries})))


def test_save_vocabulary_shared(tmp_path):
    """A shared vocabulary is written without naming a column."""
    est = StringLookupTransformer(shared_vocabulary=True, engine="arrow").fit(PETS)
    path = tmp_path / "shared.txt"

    est.save_vocabulary(path)

    assert path.read_text().splitlines() == est.vocabularies_[0]
    assert est.vocabularies_[0][:3] == ["Oslo", "dog", "cat"]


def test_save_vocabulary_is_utf8_whatever_the_encoding(tmp_path):
    """The encoding parameter (for bytes cells) does not change the file."""
    est = StringLookupTransformer(encoding="latin-1", engine="arrow")
    est.fit([["é"], [b"\xe9"], ["ß"]])
    path = tmp_path / "vocabulary.txt"

    est.save_vocabulary(path)

    assert est.vocabularies_ == [["é", "ß"]]
    assert path.read_bytes() == "é\nß\n".encode()


@pytest.mark.parametrize(
    "char", sorted(LINE_BREAKS), ids=[f"U+{ord(c):04X}" for c in sorted(LINE_BREAKS)]
)
def test_save_vocabulary_refuses_line_breaks(char, tmp_path):
    """A term holding a line break is named, and nothing is written."""
    term = f"a{char}b"
    est = StringLookupTransformer(engine="arrow").fit([["x"], [term], ["x"]])
    path = tmp_path / "vocabulary.txt"

    with pytest.raises(ValueError, match=re.escape(f"Got {term!r} (with {char!r})")):
        est.save_vocabulary(path)
    assert not path.exists()


def test_line_breaks_are_those_of_splitlines():
    """LINE_BREAKS are exactly the characters str.splitlines splits on."""
    splitting = {chr(i) for i in range(0x3000) if len(f"a{chr(i)}b".splitlines()) > 1}

    assert splitting == LINE_BREAKS


def test_save_vocabulary_refuses_empty_term(tmp_path):
    """An empty term would be a blank line, which both readers refuse."""
    est = StringLookupTransformer(engine="arrow").fit([["x"], [""]])

    with pytest.raises(
        ValueError,
        match=re.escape("must not be empty. Got '' at position 1 of the vocabulary"),
    ):
        est.save_vocabulary(tmp_path / "vocabulary.txt")


def test_save_vocabulary_names_the_column(tmp_path):
    """The error names the column holding the term."""
    X = pd.DataFrame({"ok": ["a", "b"], "bad": ["c\r\nd", "e"]})
    est = StringLookupTransformer(engine="arrow").fit(X)

    est.save_vocabulary(tmp_path / "ok.txt", "ok")
    with pytest.raises(ValueError, match="of the vocabulary of column 'bad'"):
        est.save_vocabulary(tmp_path / "bad.txt", "bad")


def test_save_vocabulary_refuses_leading_bom(tmp_path):
    """A first term starting with U+FEFF would lose it when read back."""
    est = StringLookupTransformer(engine="arrow").fit([["\ufeffa"], ["\ufeffa"], ["b"]])

    with pytest.raises(ValueError, match="must not start with a byte-order mark"):
        est.save_vocabulary(tmp_path / "vocabulary.txt")


def test_save_vocabulary_bom_inside_is_fine(tmp_path):
    """U+FEFF elsewhere than at the start of the file is an ordinary character."""
    est = StringLookupTransformer(engine="arrow").fit([["a"], ["a"], ["\ufeffb"]])
    path = tmp_path / "vocabulary.txt"

    est.save_vocabulary(path)

    assert StringLookupTransformer(vocabulary=path).fit([["a"]]).vocabularies_ == [
        ["a", "\ufeffb"]
    ]


def test_save_vocabulary_needs_column(tmp_path):
    """With several vocabularies the column must be named."""
    est = StringLookupTransformer(engine="arrow").fit(PETS)

    with pytest.raises(ValueError, match="for save_vocabulary.*Got None instead"):
        est.save_vocabulary(tmp_path / "vocabulary.txt")


def test_save_vocabulary_module_function(tmp_path):
    """The module function takes the column positionally too."""
    est = StringLookupTransformer(engine="arrow").fit(PETS)
    path = tmp_path / "vocabulary.txt"

    save_vocabulary(est, path, "city")

    assert path.read_text() == "Oslo\nRome\nLima\n"
