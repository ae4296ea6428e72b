"""oov_report: out-of-vocabulary and missing cells per column."""

import re

import numpy as np
import pandas as pd
import pytest

from skstringlookup import StringLookupTransformer
from skstringlookup._report import REPORT_COLUMNS, oov_report

TRAIN = pd.DataFrame(
    {
        "pet": ["cat", "dog", "cat", "bird"],
        "city": ["Oslo", "Rome", "Oslo", "Lima"],
    }
)
NEW = pd.DataFrame(
    {
        "pet": ["cat", "lion", "lion", "ant", None, "[UNK]", "<m>", "ant"],
        "city": ["Oslo", "Rome", np.nan, None, "Lima", "Kyiv", "Oslo", "Rome"],
    }
)


def test_oov_report_values():
    """Counts, shares and top unseen terms are exact."""
    est = StringLookupTransformer(mask_token="<m>", engine="arrow").fit(TRAIN)

    report = est.oov_report(NEW)

    assert list(report.columns) == list(REPORT_COLUMNS)
    assert list(report.index) == ["pet", "city"]
    assert report.index.name == "column"
    assert report["n_cells"].tolist() == [8, 8]
    assert report["n_oov"].tolist() == [5, 1]
    assert report["oov_share"].tolist() == [5 / 8, 1 / 8]
    assert report["n_missing"].tolist() == [1, 2]
    assert report["missing_share"].tolist() == [1 / 8, 2 / 8]
    assert report.loc["pet", "top_oov"] == [("ant", 2), ("lion", 2), ("[UNK]", 1)]
    assert report.loc["city", "top_oov"] == [("Kyiv", 1)]


def test_oov_report_dtypes():
    """Counts are int64, shares float64, the top terms Python lists."""
    est = StringLookupTransformer(engine="arrow").fit(TRAIN)

    report = est.oov_report(NEW)

    assert report.dtypes.astype(str).to_dict() == {
        "n_cells": "int64",
        "n_oov": "int64",
        "oov_share": "float64",
        "n_missing": "int64",
        "missing_share": "float64",
        "top_oov": "object",
    }
    assert isinstance(report.loc["pet", "top_oov"], list)


def test_oov_report_mask_is_not_oov():
    """Without a mask token, the string '<m>' is an unseen term."""
    est = StringLookupTransformer(engine="arrow").fit(TRAIN)

    report = est.oov_report(NEW)

    assert report.loc["pet", "n_oov"] == 6
    assert report.loc["pet", "top_oov"] == [
        ("ant", 2),
        ("lion", 2),
        ("<m>", 1),
        ("[UNK]", 1),
    ]


@pytest.mark.parametrize(
    ("top", "expected"),
    [
        pytest.param(0, [], id="zero"),
        pytest.param(1, [("ant", 2)], id="one"),
        pytest.param(
            None, [("ant", 2), ("lion", 2), ("<m>", 1), ("[UNK]", 1)], id="all"
        ),
    ],
)
def test_oov_report_top(top, expected):
    """`top` caps the list; ties are ordered by term."""
    est = StringLookupTransformer(engine="arrow").fit(TRAIN)

    report = est.oov_report(NEW, top=top)

    assert report.loc["pet", "top_oov"] == expected


@pytest.mark.parametrize(
    "top", [-1, 1.5, True, "3"], ids=["neg", "float", "bool", "str"]
)
def test_oov_report_bad_top(top):
    """A bad `top` is refused with its value."""
    est = StringLookupTransformer(engine="arrow").fit(TRAIN)

    with pytest.raises(ValueError, match=re.escape(f"Got {top!r} instead")):
        est.oov_report(NEW, top=top)


def test_oov_report_agrees_with_transform():
    """The OOV cells are the cells transform sends to the OOV index."""
    est = StringLookupTransformer(mask_token="<m>", engine="arrow").fit(TRAIN)

    indices = est.transform(NEW)
    report = est.oov_report(NEW)

    present = NEW.notna().to_numpy()
    assert ((indices == 1) & present).sum(axis=0).tolist() == report["n_oov"].tolist()


def test_oov_report_numpy_input():
    """Without column names, rows are named x0, x1, ..."""
    est = StringLookupTransformer(engine="arrow").fit(TRAIN.to_numpy())

    report = est.oov_report(np.array([["cat", "Kyiv"], ["emu", None]], dtype=object))

    assert list(report.index) == ["x0", "x1"]
    assert report["n_oov"].tolist() == [1, 1]
    assert report["n_missing"].tolist() == [0, 1]


def test_oov_report_shared_vocabulary():
    """With a shared vocabulary a term of any column is known."""
    est = StringLookupTransformer(shared_vocabulary=True, engine="arrow").fit(TRAIN)

    report = est.oov_report(pd.DataFrame({"pet": ["Oslo", "x"], "city": ["cat", "y"]}))

    assert report["n_oov"].tolist() == [1, 1]
    assert report["top_oov"].tolist() == [[("x", 1)], [("y", 1)]]


def test_oov_report_reads_input_as_transform_does():
    """Numbers are looked up by their text; categories by their values."""
    X = pd.DataFrame(
        {"n": [101, 102, 101], "c": pd.Categorical(["y", "y", "x"], list("xyz"))}
    )
    est = StringLookupTransformer(engine="arrow").fit(X)

    new = pd.DataFrame(
        {"n": [101, 999, 999], "c": pd.Categorical(["z", None, "x"], list("xyz"))}
    )
    report = est.oov_report(new)

    assert report.loc["n", "top_oov"] == [("999", 2)]
    assert report.loc["c", "top_oov"] == [("z", 1)]
    assert report["n_missing"].tolist() == [0, 1]


def test_oov_report_checks_columns():
    """Columns in another order give scikit-learn's feature-name error."""
    est = StringLookupTransformer(engine="arrow").fit(TRAIN)

    with pytest.raises(ValueError, match="feature names should match"):
        est.oov_report(NEW[["city", "pet"]])
    with (
        pytest.warns(UserWarning, match="X does not have valid feature names"),
        pytest.raises(ValueError, match="X has 1 features"),
    ):
        est.oov_report(NEW[["pet"]].to_numpy())


def test_oov_report_module_function():
    """The module function gives the same report as the method."""
    est = StringLookupTransformer(engine="arrow").fit(TRAIN)

    pd.testing.assert_frame_equal(
        oov_report(est, NEW, top=2), est.oov_report(NEW, top=2)
    )


def test_oov_report_needs_no_tensorflow(run_python):
    """The report runs where TensorFlow cannot be imported."""
    code = """
import sys

class Block:
    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in ("tensorflow", "keras", "tf_keras"):
            raise ImportError(f"{name} is blocked")
        return None

sys.meta_path.insert(0, Block())
import pandas as pd
from skstringlookup import StringLookupTransformer

est = StringLookupTransformer(engine="arrow").fit(pd.DataFrame({"c": ["a", "b"]}))
report = est.oov_report(pd.DataFrame({"c": ["a", "z", None]}))
print(report["n_oov"].tolist(), report["n_missing"].tolist())
print("tensorflow" in sys.modules)
"""

    assert run_python(code).split("\n")[:2] == ["[1] [1]", "False"]
