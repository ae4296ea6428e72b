"""Pickling, copying and cloning, in one process, in a fresh one, and across
Keras 2 and Keras 3."""

import json
import pickle
import textwrap

import joblib
import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from copies import COPIES
from sklearn.base import clone
from sklearn.compose import ColumnTransformer
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.validation import check_is_fitted

from skstringlookup import StringLookupTransformer

X = pd.DataFrame(
    {
        "pet": ["cat", "dog", "bird", "cat", "fish", "dog"],
        "city": pd.Series(
            ["Oslo", "Lima", None, "Oslo", "Pune", "ab\x00"], dtype="str"
        ),
    }
)
QUERY = pd.DataFrame(
    {
        "pet": ["cat", "lion", "dog", "bird", "zebra"],
        "city": pd.Series(["ab\x00", "Oslo", "Rome", None, "Lima"], dtype="str"),
    }
)

MODES = {
    "int": {},
    "one_hot": {"output_mode": "one_hot"},
    "multi_hot shared": {"output_mode": "multi_hot", "shared_vocabulary": True},
    "count, 3 oov, mask": {
        "output_mode": "count",
        "num_oov_indices": 3,
        "mask_token": "",
    },
    "tf_idf": {"output_mode": "tf_idf"},
    "sparse tf_idf": {"output_mode": "tf_idf", "sparse": True},
    "sparse one_hot": {"output_mode": "one_hot", "sparse": True},
}


def _assert_same_output(actual, expected):
    assert type(actual) is type(expected)
    assert actual.dtype == expected.dtype
    assert actual.shape == expected.shape
    if sp.issparse(expected):
        actual, expected = actual.toarray(), expected.toarray()
    np.testing.assert_array_equal(actual, expected)


# One process -------------------------------------------------------------------


@pytest.mark.parametrize("params", list(MODES.values()), ids=list(MODES))
@pytest.mark.parametrize("copier", list(COPIES.values()), ids=list(COPIES))
@pytest.mark.parametrize("used", [False, True], ids=["fresh", "after transform"])
def test_fitted_copy_gives_identical_output(engine, params, copier, used):
    """A fitted transformer gives the same output after each round trip."""
    lookup = StringLookupTransformer(engine=engine, **params).fit(X)
    expected = lookup.transform(QUERY)
    if not used:
        lookup = StringLookupTransformer(engine=engine, **params).fit(X)

    restored = copier(lookup)

    _assert_same_output(restored.transform(QUERY), expected)
    _assert_same_output(copier(restored).transform(QUERY), expected)
    assert restored.vocabularies_ == lookup.vocabularies_
    assert restored.get_params() == lookup.get_params()
    names = restored.get_feature_names_out()
    assert names.tolist() == lookup.get_feature_names_out().tolist()


@pytest.mark.parametrize("copier", list(COPIES.values()), ids=list(COPIES))
@pytest.mark.parametrize("method", ["invert", "inverse_transform"])
def test_copied_inverse_gives_identical_terms(engine, copier, method):
    """Indices map to the same terms after each round trip."""
    invert = method == "invert"
    lookup = StringLookupTransformer(engine=engine, invert=invert).fit(X)
    indices = pd.DataFrame({"pet": [0, 1, 2, 3, 4, 5], "city": [4, 3, 2, 1, 0, -1]})
    to_terms = "transform" if invert else "inverse_transform"
    expected = getattr(lookup, to_terms)(indices)

    restored = copier(lookup)

    out = getattr(restored, to_terms)(indices)
    assert out.tolist() == expected.tolist()
    assert out[:, 0].tolist() == ["[UNK]", "dog", "cat", "fish", "bird", "[UNK]"]
    assert out[:, 1].tolist() == ["Lima", "Pune", "ab\x00", "Oslo", "[UNK]", "[UNK]"]


@pytest.mark.parametrize("copier", [*COPIES.values(), clone], ids=[*COPIES, "clone"])
def test_unfitted_copy_is_unfitted_with_the_same_params(engine, copier):
    """An unfitted transformer copies to an unfitted one with equal params."""
    params = {"vocabulary": {"pet": ["cat", "dog"], "city": ["Oslo"]}, "mask_token": ""}
    lookup = StringLookupTransformer(engine=engine, **params)

    restored = copier(lookup)

    assert restored.get_params() == lookup.get_params()
    with pytest.raises(NotFittedError, match="is not fitted yet"):
        check_is_fitted(restored)
    _assert_same_output(
        restored.fit(X).transform(QUERY), lookup.fit(X).transform(QUERY)
    )


def test_clone_of_fitted_is_unfitted(engine):
    """clone gives an unfitted transformer with the same parameters."""
    lookup = StringLookupTransformer(engine=engine, output_mode="count").fit(X)
    lookup.transform(QUERY)

    cloned = clone(lookup)

    assert cloned.get_params() == lookup.get_params()
    assert not hasattr(cloned, "vocabularies_")
    with pytest.raises(NotFittedError, match="is not fitted yet"):
        cloned.transform(QUERY)
    _assert_same_output(cloned.fit(X).transform(QUERY), lookup.transform(QUERY))


def _shop_pipeline(engine, **params):
    columns = ColumnTransformer(
        [
            (
                "lookup",
                StringLookupTransformer(engine=engine, **params),
                ["pet", "city"],
            ),
            ("scale", StandardScaler(), ["size"]),
        ]
    )
    return Pipeline([("columns", columns), ("model", LogisticRegression())])


SHOP = X.assign(size=[1.0, 2.0, 3.0, 4.0, 5.0, 6.0])
SHOP_QUERY = QUERY.assign(size=[1.0, 3.0, 5.0, 7.0, 9.0])
BOUGHT = np.array([1, 0, 1, 1, 0, 0])


@pytest.mark.parametrize(
    "params",
    [{"output_mode": "one_hot"}, {"output_mode": "tf_idf", "sparse": True}],
    ids=["one_hot", "sparse tf_idf"],
)
@pytest.mark.parametrize("copier", list(COPIES.values()), ids=list(COPIES))
def test_copied_pipeline_predicts_the_same(engine, params, copier):
    """A Pipeline with a ColumnTransformer holding the lookup survives a copy."""
    pipe = _shop_pipeline(engine, **params).fit(SHOP, BOUGHT)
    expected = pipe.predict_proba(SHOP_QUERY)
    features = pipe[:-1].transform(SHOP_QUERY)

    restored = copier(pipe)

    np.testing.assert_array_equal(restored.predict_proba(SHOP_QUERY), expected)
    _assert_same_output(restored[:-1].transform(SHOP_QUERY), features)


def test_cloned_pipeline_refits_to_the_same(engine):
    """clone of a fitted Pipeline is unfitted, and refits to the same output."""
    pipe = _shop_pipeline(engine, output_mode="one_hot").fit(SHOP, BOUGHT)

    cloned = clone(pipe)

    lookup = cloned.named_steps["columns"].transformers[0][1]
    assert not hasattr(lookup, "vocabularies_")
    cloned.fit(SHOP, BOUGHT)
    np.testing.assert_array_equal(
        cloned.predict_proba(SHOP_QUERY), pipe.predict_proba(SHOP_QUERY)
    )


@pytest.mark.parametrize("copier", [*COPIES.values(), clone], ids=[*COPIES, "clone"])
def test_unfitted_pipeline_copy_fits_the_same(engine, copier):
    """An unfitted Pipeline holding the lookup copies and then fits the same."""
    pipe = _shop_pipeline(engine, output_mode="count", num_oov_indices=2)

    restored = copier(pipe)

    assert repr(restored) == repr(pipe)
    restored.fit(SHOP, BOUGHT)
    pipe.fit(SHOP, BOUGHT)
    np.testing.assert_array_equal(
        restored.predict_proba(SHOP_QUERY), pipe.predict_proba(SHOP_QUERY)
    )


@pytest.mark.parametrize("copier", list(COPIES.values()), ids=list(COPIES))
def test_partial_fit_continues_after_a_round_trip(engine, copier):
    """A copy taken between partial_fit calls goes on to the same fit."""
    lookup = StringLookupTransformer(engine=engine, output_mode="tf_idf")
    lookup.partial_fit(X[:3])
    lookup.transform(QUERY)

    restored = copier(lookup)
    restored.partial_fit(X[3:])
    lookup.partial_fit(X[3:])

    whole = StringLookupTransformer(engine=engine, output_mode="tf_idf").fit(X)
    assert restored.vocabularies_ == whole.vocabularies_
    for weights, expected in zip(
        restored.idf_weights_, whole.idf_weights_, strict=True
    ):
        np.testing.assert_array_equal(weights, expected)
    _assert_same_output(restored.transform(QUERY), whole.transform(QUERY))
    _assert_same_output(restored.transform(QUERY), lookup.transform(QUERY))


# The pickled state -------------------------------------------------------------

STATE_KEY = "_skstringlookup_state_version"
PARAM_NAMES = set(StringLookupTransformer().get_params())


def _assert_plain(value, where):
    """`value` is built of Python and NumPy types only."""
    if isinstance(value, dict):
        for key, item in value.items():
            _assert_plain(key, where)
            _assert_plain(item, f"{where}[{key!r}]")
    elif isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            _assert_plain(item, f"{where}[{i}]")
    elif isinstance(value, np.ndarray):
        assert value.dtype != object, where
    else:
        assert value is None or type(value) in (str, int, float, bool), where


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"output_mode": "tf_idf"},
        {"output_mode": "count", "shared_vocabulary": True},
    ],
    ids=["int", "tf_idf", "shared count"],
)
def test_state_holds_no_keras_object(engine, params):
    """The pickled state is plain data with a version key, even after transform."""
    lookup = StringLookupTransformer(engine=engine, **params).fit(X)
    lookup.transform(QUERY)

    state = lookup.__getstate__()

    fitted = {"vocabularies_", "n_features_in_", "feature_names_in_"}
    if params.get("output_mode") == "tf_idf":
        fitted.add("idf_weights_")
    assert set(state) == PARAM_NAMES | fitted | {STATE_KEY}
    assert state[STATE_KEY] == 1
    assert state["feature_names_in_"].tolist() == ["pet", "city"]
    for key in PARAM_NAMES | fitted - {"feature_names_in_"}:
        _assert_plain(state[key], key)
    for weights in state.get("idf_weights_", []):
        assert weights.dtype == np.float32
    pickled = pickle.dumps(lookup)
    for module in (b"tensorflow", b"tf_keras", b"keras.src", b"_Runtime"):
        assert module not in pickled


def test_state_of_a_newer_version_is_refused():
    """A state saved by a newer state format raises, naming the version."""
    lookup = StringLookupTransformer(engine="arrow").fit(X)
    state = lookup.__getstate__()
    state[STATE_KEY] = 2

    with pytest.raises(ValueError, match="saved in state format 2, newer than"):
        StringLookupTransformer.__new__(StringLookupTransformer).__setstate__(state)


def test_state_without_version_loads():
    """A state without the version key loads as the current format."""
    lookup = StringLookupTransformer(engine="arrow").fit(X)
    state = lookup.__getstate__()
    del state[STATE_KEY]

    restored = StringLookupTransformer.__new__(StringLookupTransformer)
    restored.__setstate__(state)

    _assert_same_output(restored.transform(QUERY), lookup.transform(QUERY))
    assert STATE_KEY not in vars(restored)


# Fresh processes -------------------------------------------------------------

KERAS_PACKAGES = {"tensorflow", "keras", "tf_keras"}


def _fitted_models():
    models = {}
    for engine in ("keras", "arrow"):
        for mode, params in MODES.items():
            lookup = StringLookupTransformer(engine=engine, **params).fit(X)
            lookup.transform(QUERY)
            models[f"{engine} {mode}"] = lookup
        pipe = _shop_pipeline(engine, output_mode="one_hot").fit(SHOP, BOUGHT)
        models[f"{engine} pipeline"] = pipe
    return models


def _outputs(models):
    return {
        name: model.predict_proba(SHOP_QUERY)
        if name.endswith("pipeline")
        else model.transform(QUERY)
        for name, model in models.items()
    }


LOAD_AND_TRANSFORM = """
import sys
import joblib
data = joblib.load({data!r})
models = joblib.load({models!r})
before = "tensorflow" in sys.modules
outputs = {{
    name: model.predict_proba(data["shop"])
    if name.endswith("pipeline")
    else model.transform(data["query"])
    for name, model in models.items()
}}
joblib.dump(outputs, {out!r})
"""


@pytest.mark.slow
def test_joblib_file_loads_in_a_fresh_process(tmp_path, run_python):
    """A joblib file gives identical outputs in a fresh Python process."""
    models = _fitted_models()
    expected = _outputs(models)
    paths = {name: str(tmp_path / f"{name}.joblib") for name in ("models", "data")}
    paths["out"] = str(tmp_path / "out.joblib")
    joblib.dump(models, paths["models"])
    joblib.dump({"query": QUERY, "shop": SHOP_QUERY}, paths["data"])

    code = LOAD_AND_TRANSFORM.format(**paths) + "print(json.dumps(before))"
    stdout = run_python("import json\n" + code)

    assert json.loads(stdout.splitlines()[-1]) is False
    outputs = joblib.load(paths["out"])
    assert set(outputs) == set(expected)
    for name, out in expected.items():
        _assert_same_output(outputs[name], out)


RELAY_STEP = """
import sys
import joblib
from skstringlookup import StringLookupTransformer
data = joblib.load({data!r})
result = {{}}
models = {{}}
if {read!r}:
    relayed = joblib.load({read!r})
    result["tensorflow after load"] = "tensorflow" in sys.modules
    result["read"] = {{n: m.transform(data["query"]) for n, m in relayed.items()}}
    models.update({{f"relayed {{n}}": m for n, m in relayed.items()}})
if {write!r}:
    for name, params in data["modes"].items():
        lookup = StringLookupTransformer(engine="keras", **params).fit(data["X"])
        models[name] = lookup
    result["written"] = {{n: m.transform(data["query"]) for n, m in models.items()}}
    joblib.dump(models, {write!r})
import tensorflow as tf
result["keras"] = tf.keras.layers.StringLookup.__module__.split(".")[0]
joblib.dump(result, {out!r})
"""


@pytest.fixture(scope="module")
def keras_relay(tmp_path_factory, run_python):
    """Pickles from Keras 3 read under Keras 2, then back, each in a new process."""
    tmp = tmp_path_factory.mktemp("relay")
    data = str(tmp / "data.joblib")
    joblib.dump({"X": X, "query": QUERY, "modes": MODES}, data)
    steps = [("0", "", "keras3.joblib"), ("1", "keras3.joblib", "keras2.joblib")]
    steps.append(("0", "keras2.joblib", ""))

    results = []
    for i, (legacy, read, write) in enumerate(steps):
        paths = {
            "data": data,
            "read": read and str(tmp / read),
            "write": write and str(tmp / write),
            "out": str(tmp / f"step{i}.joblib"),
        }
        run_python(RELAY_STEP.format(**paths), env={"TF_USE_LEGACY_KERAS": legacy})
        results.append(joblib.load(paths["out"]))
    return results


def _arrow_outputs():
    return {
        name: StringLookupTransformer(engine="arrow", **params).fit(X).transform(QUERY)
        for name, params in MODES.items()
    }


@pytest.mark.slow
def test_pickle_from_keras_3_loads_under_keras_2(keras_relay):
    """A pickle written under Keras 3 gives the same outputs under Keras 2."""
    writer, reader = keras_relay[0], keras_relay[1]

    assert (writer["keras"], reader["keras"]) == ("keras", "tf_keras")
    assert reader["tensorflow after load"] is False
    assert set(reader["read"]) == set(writer["written"]) == set(MODES)
    arrow = _arrow_outputs()
    for name in MODES:
        _assert_same_output(reader["read"][name], writer["written"][name])
        _assert_same_output(reader["read"][name], arrow[name])


@pytest.mark.slow
def test_pickle_from_keras_2_loads_under_keras_3(keras_relay):
    """A pickle written under Keras 2 gives the same outputs under Keras 3."""
    writer, reader = keras_relay[1], keras_relay[2]

    assert (writer["keras"], reader["keras"]) == ("tf_keras", "keras")
    assert reader["tensorflow after load"] is False
    expected_names = set(MODES) | {f"relayed {name}" for name in MODES}
    assert set(reader["read"]) == set(writer["written"]) == expected_names
    arrow = _arrow_outputs()
    for name, out in reader["read"].items():
        _assert_same_output(out, writer["written"][name])
        _assert_same_output(out, arrow[name.removeprefix("relayed ")])


@pytest.mark.slow
def test_import_does_not_import_tensorflow(run_python):
    """Importing the package, and fitting with either engine, imports no Keras."""
    code = textwrap.dedent(
        """
        import json, sys
        import pandas as pd
        import skstringlookup
        imported = [sorted(sys.modules)]
        X = pd.DataFrame({"c": ["a", "b", "a"]})
        for engine in ("keras", "arrow"):
            lookup = skstringlookup.StringLookupTransformer(engine=engine).fit(X)
            lookup.get_feature_names_out()
            lookup.inverse_transform(pd.DataFrame({"c": [1, 2]}))
        imported.append(sorted(sys.modules))
        print(json.dumps(imported))
        """
    )

    imported = json.loads(run_python(code).splitlines()[-1])

    for modules in imported:
        keras = [m for m in modules if m.split(".")[0] in KERAS_PACKAGES]
        assert keras == []


BLOCK_TENSORFLOW = """
import sys

class BlockKeras:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in {"tensorflow", "keras", "tf_keras"}:
            raise ImportError(f"{name} is blocked in this test")
        return None

sys.meta_path.insert(0, BlockKeras())
try:
    import tensorflow
except ImportError:
    blocked = True
else:
    blocked = False
"""


@pytest.mark.slow
def test_arrow_pipeline_predicts_where_tensorflow_cannot_import(tmp_path, run_python):
    """An arrow-engine Pipeline loads and predicts where TensorFlow is missing."""
    pipe = _shop_pipeline("arrow", output_mode="one_hot").fit(SHOP, BOUGHT)
    lookup = StringLookupTransformer(engine="arrow", output_mode="tf_idf").fit(X)
    models = {"pipeline": pipe, "tf_idf": lookup}
    paths = {
        "models": str(tmp_path / "models.joblib"),
        "data": str(tmp_path / "data.joblib"),
        "out": str(tmp_path / "out.joblib"),
    }
    joblib.dump(models, paths["models"])
    joblib.dump({"query": QUERY, "shop": SHOP_QUERY}, paths["data"])

    code = (
        BLOCK_TENSORFLOW
        + LOAD_AND_TRANSFORM.format(**paths)
        + "import json\n"
        + "keras = [m for m in sys.modules if m.split('.')[0] in "
        + "{'tensorflow', 'keras', 'tf_keras'}]\n"
        + "print(json.dumps([blocked, keras]))"
    )
    result = json.loads(run_python(code).splitlines()[-1])

    assert result == [True, []]
    outputs = joblib.load(paths["out"])
    np.testing.assert_array_equal(outputs["pipeline"], pipe.predict_proba(SHOP_QUERY))
    _assert_same_output(outputs["tf_idf"], lookup.transform(QUERY))
