"""Write the golden pickles that tests/test_state_version.py loads.

Each case is a fitted transformer (or a pipeline holding some) saved with
joblib as ``<case>.joblib``, next to ``expected.json`` (the inputs, the string
outputs and what each output is) and ``expected.npz`` (the numeric outputs).

Run it from the repository root, only when adding a case or a new state
format, and commit what it writes::

    python tests/golden/make_golden.py

Never rerun it to make a failing golden test pass: the files record what an
earlier version of the package wrote, and every later version must read them.
"""

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

# The inputs, as plain JSON values: None is a missing cell.
INPUTS = {
    "pets": {
        "pet": ["cat", "dog", "bird", "cat", "fish", "dog", "cat", None, "", "ab\x00"],
        "city": [
            "Oslo",
            "Lima",
            "Oslo",
            "Kyiv",
            "Lima",
            "Oslo",
            "é",
            "e\u0301",
            None,
            "Oslo",
        ],
    },
    "pets_later": {
        "pet": [
            "dog",
            "lion",
            None,
            "",
            "ab",
            "ab\x00",
            "cat",
            "[UNK]",
            "[MASK]",
            "fish",
        ],
        "city": [
            "Lima",
            "Oslo",
            "Rome",
            "é",
            "e\u0301",
            None,
            "Kyiv",
            "oslo",
            "",
            "Oslo",
        ],
    },
    "pets_more": {
        "pet": ["lion", "lion", "lion", "dog", None],
        "city": ["Rome", "Rome", "Oslo", "Lima", "Lima"],
    },
}

# Indices for the int-mode transformers to map back, and for invert=True.
INDICES = {
    "pet": [0, 1, 2, 3, 4, 5, 6, 99, -1, 2],
    "city": [1, 0, 2, 3, 4, 5, 6, 7, 1000, -5],
}


def frame(name):
    """The named input as a DataFrame of object columns."""
    import pandas as pd

    return pd.DataFrame(
        {col: pd.Series(cells, dtype=object) for col, cells in INPUTS[name].items()}
    )


def index_frame():
    """INDICES as a DataFrame with the input column names."""
    import pandas as pd

    return pd.DataFrame(INDICES)


def _lookup(**params):
    from skstringlookup import StringLookupTransformer

    return StringLookupTransformer(**params)


def _pipeline():
    from sklearn.compose import ColumnTransformer
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import MaxAbsScaler

    encode = ColumnTransformer(
        [
            ("pet", _lookup(engine="keras", num_oov_indices=2), ["pet"]),
            ("city", _lookup(engine="arrow", output_mode="multi_hot"), ["city"]),
        ]
    )
    return Pipeline([("encode", encode), ("scale", MaxAbsScaler())])


# name -> (builder, how it is fitted, outputs recorded after loading)
CASES = {
    "int_arrow": (lambda: _lookup(engine="arrow"), "fit", ["transform", "inverse"]),
    "int_keras": (lambda: _lookup(engine="keras"), "fit", ["transform", "inverse"]),
    "one_hot_sparse_arrow": (
        lambda: _lookup(engine="arrow", output_mode="one_hot", sparse=True),
        "fit",
        ["transform"],
    ),
    "one_hot_sparse_keras": (
        lambda: _lookup(engine="keras", output_mode="one_hot", sparse=True),
        "fit",
        ["transform"],
    ),
    "tf_idf_arrow": (
        lambda: _lookup(engine="arrow", output_mode="tf_idf"),
        "fit",
        ["transform"],
    ),
    "tf_idf_padded_sparse_keras": (
        lambda: _lookup(
            engine="keras",
            output_mode="tf_idf",
            max_tokens=6,
            pad_to_max_tokens=True,
            sparse=True,
        ),
        "fit",
        ["transform"],
    ),
    "shared_count_arrow": (
        lambda: _lookup(engine="arrow", output_mode="count", shared_vocabulary=True),
        "fit",
        ["transform"],
    ),
    "shared_int_keras": (
        lambda: _lookup(engine="keras", shared_vocabulary=True),
        "fit",
        ["transform", "inverse"],
    ),
    "mask_oov3_arrow": (
        lambda: _lookup(
            engine="arrow",
            mask_token="[MASK]",
            num_oov_indices=3,
            handle_missing="mask",
        ),
        "fit",
        ["transform", "inverse"],
    ),
    "mask_oov3_keras": (
        lambda: _lookup(
            engine="keras",
            mask_token="[MASK]",
            num_oov_indices=3,
            handle_missing="mask",
        ),
        "fit",
        ["transform", "inverse"],
    ),
    "mask_oov3_multi_hot_keras": (
        lambda: _lookup(
            engine="keras",
            mask_token="",
            num_oov_indices=3,
            output_mode="multi_hot",
        ),
        "fit",
        ["transform"],
    ),
    "invert_arrow": (
        lambda: _lookup(engine="arrow", invert=True),
        "fit",
        ["invert"],
    ),
    "given_tf_idf_arrow": (
        lambda: _lookup(
            engine="arrow",
            output_mode="tf_idf",
            vocabulary={"pet": ["cat", "dog"], "city": ["Oslo", "Lima", "é"]},
            idf_weights={"pet": [0.5, 1.25], "city": [0.75, 1.0, 2.0]},
        ),
        "fit",
        ["transform"],
    ),
    "partial_fit_count_arrow": (
        lambda: _lookup(engine="arrow", output_mode="count", min_frequency=2),
        "partial_fit",
        ["transform", "after_partial_fit"],
    ),
    "pipeline_keras_arrow": (_pipeline, "fit", ["transform"]),
}


def fitted(name):
    """The estimator of case `name`, fitted as the golden file holds it."""
    build, how, _ = CASES[name]
    est = build()
    if how == "partial_fit":
        X = frame("pets")
        est.partial_fit(X.iloc[:4]).partial_fit(X.iloc[4:])
    else:
        est.fit(frame("pets"))
    return est


def outputs(est, name):
    """Every recorded output of case `name`: {key: ndarray or sparse matrix}."""
    import numpy as np

    _, _, kinds = CASES[name]
    out = {}
    for kind in kinds:
        if kind == "transform":
            out["transform"] = est.transform(frame("pets_later"))
        elif kind == "inverse":
            out["inverse"] = est.inverse_transform(index_frame())
        elif kind == "invert":
            out["invert"] = est.transform(index_frame())
        else:
            est.partial_fit(frame("pets_more"))
            out["after_partial_fit"] = est.transform(frame("pets_later"))
            out["after_partial_fit_vocabularies"] = np.array(
                [json.dumps(v) for v in est.vocabularies_], dtype=object
            )
    if hasattr(est, "get_feature_names_out"):
        out["feature_names"] = np.asarray(est.get_feature_names_out(), dtype=object)
    return out


def main():
    import joblib
    import numpy as np
    import scipy.sparse as sp
    import sklearn

    import skstringlookup
    from skstringlookup._transformer import STATE_VERSION

    for old in HERE.glob("*.joblib"):
        old.unlink()

    expected = {
        "written_by": {
            "skstringlookup": skstringlookup.__version__,
            "state_version": STATE_VERSION,
            "scikit-learn": sklearn.__version__,
            "python": sys.version.split()[0],
        },
        "inputs": INPUTS,
        "indices": INDICES,
        "cases": {},
    }
    arrays = {}
    for name in CASES:
        est = fitted(name)
        joblib.dump(est, HERE / f"{name}.joblib", compress=3)
        record = {}
        for key, value in outputs(est, name).items():
            if sp.issparse(value):
                record[key] = {"kind": "sparse", "format": value.format}
                arrays[f"{name}.{key}"] = value.toarray()
            elif value.dtype == object:
                record[key] = {"kind": "strings", "values": value.tolist()}
            else:
                record[key] = {"kind": "dense"}
                arrays[f"{name}.{key}"] = value
            record[key]["dtype"] = str(value.dtype)
            record[key]["shape"] = list(value.shape)
        expected["cases"][name] = record

    with open(HERE / "expected.json", "w", encoding="utf-8") as f:
        json.dump(expected, f, indent=1, ensure_ascii=True)
        f.write("\n")
    np.savez_compressed(HERE / "expected.npz", **arrays)


if __name__ == "__main__":
    main()
