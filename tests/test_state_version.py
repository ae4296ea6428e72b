"""The pickled state: its format version, and golden pickles of older versions."""

import copy
import copyreg
import io
import json
import pickle
import subprocess
import sys
from pathlib import Path

import joblib
import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
import sklearn
from sklearn.pipeline import Pipeline

from skstringlookup import StringLookupTransformer
from skstringlookup._transformer import _STATE_KEY, STATE_VERSION

GOLDEN = Path(__file__).resolve().parent / "golden"
EXPECTED = json.loads((GOLDEN / "expected.json").read_text(encoding="utf-8"))
CASES = sorted(EXPECTED["cases"])
ARROW_ONLY = [name for name in CASES if "keras" not in name]

# Golden pickles are meant to outlive the scikit-learn that wrote them.
pytestmark = pytest.mark.filterwarnings(
    "ignore::sklearn.exceptions.InconsistentVersionWarning"
)

SKLEARN = tuple(int(part) for part in sklearn.__version__.split(".")[:2])


def _frame(name):
    cells = EXPECTED["inputs"][name]
    return pd.DataFrame({c: pd.Series(v, dtype=object) for c, v in cells.items()})


def _outputs(est, name):
    """Recompute every output that expected.json records for case `name`."""
    out = {}
    for key in EXPECTED["cases"][name]:
        if key == "transform":
            out[key] = est.transform(_frame("pets_later"))
        elif key == "inverse":
            out[key] = est.inverse_transform(pd.DataFrame(EXPECTED["indices"]))
        elif key == "invert":
            out[key] = est.transform(pd.DataFrame(EXPECTED["indices"]))
        elif key == "after_partial_fit":
            est.partial_fit(_frame("pets_more"))
            out[key] = est.transform(_frame("pets_later"))
        elif key == "after_partial_fit_vocabularies":
            out[key] = np.array([json.dumps(v) for v in est.vocabularies_], object)
        elif key == "feature_names":
            out[key] = np.asarray(est.get_feature_names_out(), dtype=object)
    return out


def _assert_matches_golden(outputs, name):
    recorded = EXPECTED["cases"][name]
    assert sorted(outputs) == sorted(recorded)
    with np.load(GOLDEN / "expected.npz", allow_pickle=False) as arrays:
        for key, spec in recorded.items():
            value = outputs[key]
            assert str(value.dtype) == spec["dtype"], key
            assert list(value.shape) == spec["shape"], key
            if spec["kind"] == "strings":
                assert value.tolist() == spec["values"], key
                continue
            assert sp.issparse(value) == (spec["kind"] == "sparse"), key
            if sp.issparse(value):
                assert value.format == spec["format"], key
                value = value.toarray()
            # Bit for bit: float outputs too.
            np.testing.assert_array_equal(value, arrays[f"{name}.{key}"], err_msg=key)


@pytest.mark.parametrize("name", CASES, ids=CASES)
def test_golden_pickle_gives_identical_outputs(name):
    """Each golden pickle loads and gives exactly the outputs recorded with it."""
    est = joblib.load(GOLDEN / f"{name}.joblib")

    _assert_matches_golden(_outputs(est, name), name)


@pytest.mark.parametrize("name", CASES, ids=CASES)
def test_golden_pickle_survives_another_round_trip(name):
    """A loaded golden pickle, pickled again by this version, still matches."""
    if "pipeline" in name and SKLEARN < (1, 9):
        pytest.xfail("scikit-learn reads its own Pipelines only from its version on")
    est = joblib.load(GOLDEN / f"{name}.joblib")
    est.get_params()

    again = pickle.loads(pickle.dumps(est))

    _assert_matches_golden(_outputs(again, name), name)


def test_golden_files_are_small():
    """The golden directory stays well under 200 KB."""
    size = sum(path.stat().st_size for path in GOLDEN.iterdir() if path.is_file())

    assert size < 200_000


def test_golden_files_cover_every_case():
    """Every case in expected.json has its pickle, and every pickle its case."""
    pickles = sorted(path.stem for path in GOLDEN.glob("*.joblib"))

    assert pickles == CASES
    assert EXPECTED["written_by"]["state_version"] <= STATE_VERSION


@pytest.mark.slow
def test_arrow_golden_pickles_load_without_tensorflow():
    """Arrow-engine golden pickles load and transform without TensorFlow."""
    script = f"""
import json, sys
import joblib, pandas as pd
cells = json.load(open({str(GOLDEN / "expected.json")!r}))["inputs"]["pets_later"]
X = pd.DataFrame({{c: pd.Series(v, dtype=object) for c, v in cells.items()}})
for name in {ARROW_ONLY!r}:
    est = joblib.load({str(GOLDEN)!r} + "/" + name + ".joblib")
    if name != "invert_arrow":
        est.transform(X)
assert "tensorflow" not in sys.modules, "tensorflow was imported"
assert "keras" not in sys.modules, "keras was imported"
print("ok")
"""
    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "ok"


# The format version --------------------------------------------------------------


def _pets(*cells):
    return pd.DataFrame({"pet": pd.Series(cells, dtype=object)})


def _fitted(**params):
    X = _pets("cat", "dog", "bird", "cat", "fish", "dog")
    return StringLookupTransformer(engine="arrow", **params).fit(X)


class _Forged:
    """Pickles as a copy of `est` whose state dict is edited.

    The copy is rebuilt by ``copyreg._reconstructor``, as protocols 0 and 1
    rebuild objects, and then given the edited state through __setstate__.
    """

    def __init__(self, est, remove=(), **edits):
        _, args, state, *_ = est.__reduce_ex__(pickle.HIGHEST_PROTOCOL)
        state = {k: v for k, v in state.items() if k not in remove}
        self._reduced = (
            copyreg._reconstructor,
            (args[0], object, None),
            {**state, **edits},
        )

    def __reduce_ex__(self, protocol):
        return self._reduced


def _load_forged(forged, how):
    if how == "pickle":
        return pickle.loads(pickle.dumps(forged))
    if how == "joblib":
        buffer = io.BytesIO()
        joblib.dump(forged, buffer)
        buffer.seek(0)
        return joblib.load(buffer)
    if how == "pipeline":
        return pickle.loads(pickle.dumps(Pipeline([("lookup", forged)])))
    assert how == "deepcopy"
    return copy.deepcopy(forged)


def test_state_carries_the_format_version():
    """The pickled state holds the version; the loaded object does not keep it."""
    est = _fitted()

    state = est.__getstate__()
    loaded = pickle.loads(pickle.dumps(est))

    assert state[_STATE_KEY] == STATE_VERSION
    assert isinstance(STATE_VERSION, int)
    assert _STATE_KEY not in loaded.__dict__
    assert _STATE_KEY not in est.__dict__
    assert loaded.__getstate__()[_STATE_KEY] == STATE_VERSION


HOWS = ["pickle", "joblib", "deepcopy", "pipeline"]


@pytest.mark.parametrize("how", HOWS, ids=HOWS)
def test_forged_state_with_the_current_version_loads(how):
    """The forging helper, changing nothing, yields a working transformer."""
    loaded = _load_forged(_Forged(_fitted()), how)
    if how == "pipeline":
        loaded = loaded.named_steps["lookup"]

    assert type(loaded) is StringLookupTransformer
    assert loaded.transform(_pets("cat", "dog", "bird")).ravel().tolist() == [2, 1, 4]


NEWER = [STATE_VERSION + 1, STATE_VERSION + 100]
NOT_INTS = ["2", 2.0, None, [STATE_VERSION]]


@pytest.mark.parametrize("version", NEWER, ids=[f"v{v}" for v in NEWER])
@pytest.mark.parametrize("how", ["pickle", "joblib", "deepcopy", "pipeline"], ids=str)
def test_newer_state_version_raises(how, version):
    """A state from a newer package is refused with advice, never half-read."""
    forged = _Forged(_fitted(), **{_STATE_KEY: version})
    match = (
        rf"saved in state format {version}, newer than the format "
        rf"{STATE_VERSION} this version of skstringlookup reads\. Upgrade"
    )

    with pytest.raises(ValueError, match=match):
        _load_forged(forged, how)


@pytest.mark.parametrize("version", NOT_INTS, ids=[repr(v) for v in NOT_INTS])
def test_state_version_that_is_not_an_int_raises(version):
    """A version that is not an int is refused, naming the version found."""
    forged = _Forged(_fitted(), **{_STATE_KEY: version})

    with pytest.raises(ValueError, match=r"saved in state format .*Upgrade"):
        pickle.loads(pickle.dumps(forged))


OLDER_THAN_ANY = [0, -1]


@pytest.mark.parametrize(
    "version", OLDER_THAN_ANY, ids=[f"v{v}" for v in OLDER_THAN_ANY]
)
def test_state_version_below_the_first_format_raises(version):
    """Formats start at 1: a lower version is refused rather than read as current."""
    forged = _Forged(_fitted(), **{_STATE_KEY: version})

    with pytest.raises(ValueError, match=rf"unknown state format {version}.*refit"):
        pickle.loads(pickle.dumps(forged))


def test_newer_state_written_by_a_patched_package_raises(monkeypatch):
    """A pickle written while STATE_VERSION was higher no longer loads."""
    import skstringlookup._transformer as module

    est = _fitted(output_mode="tf_idf")
    monkeypatch.setattr(module, "STATE_VERSION", STATE_VERSION + 1)
    data = pickle.dumps(est)
    monkeypatch.setattr(module, "STATE_VERSION", STATE_VERSION)

    with pytest.raises(ValueError, match=rf"state format {STATE_VERSION + 1}, newer"):
        pickle.loads(data)


def test_setstate_refuses_a_newer_state_before_changing_anything():
    """A refused state leaves the target object exactly as it was."""
    est = _fitted()
    target = _fitted(num_oov_indices=2)
    before = dict(target.__dict__)
    state = {**est.__getstate__(), _STATE_KEY: STATE_VERSION + 1}

    with pytest.raises(ValueError, match="Upgrade skstringlookup"):
        target.__setstate__(state)

    assert target.__dict__.keys() == before.keys()
    assert target.num_oov_indices == 2
    assert target.vocabularies_ is before["vocabularies_"]


def test_state_without_a_version_loads_as_the_current_format():
    """A pickle from before versioning (no version key) loads and works."""
    est = _fitted(mask_token="[MASK]", num_oov_indices=3)
    expected = est.transform(_pets("cat", "zz", "[MASK]"))

    loaded = pickle.loads(pickle.dumps(_Forged(est, remove=(_STATE_KEY,))))

    np.testing.assert_array_equal(
        loaded.transform(_pets("cat", "zz", "[MASK]")), expected
    )
    assert loaded.__getstate__()[_STATE_KEY] == STATE_VERSION


class _RecordingUnpickler(pickle.Unpickler):
    """Unpickler that notes the module of every class the pickle names."""

    def __init__(self, data):
        super().__init__(io.BytesIO(data))
        self.modules = set()

    def find_class(self, module, name):
        self.modules.add(module)
        return super().find_class(module, name)


@pytest.mark.parametrize("engine", ["arrow", "keras"], ids=str)
@pytest.mark.parametrize("mode", ["int", "tf_idf"], ids=str)
def test_pickle_holds_no_runtime_objects(engine, mode):
    """A used transformer pickles plain data only: no lookup table or layer."""
    est = _fitted(output_mode=mode)
    est.set_params(engine=engine)
    expected = est.transform(_pets("cat", "lion"))

    unpickler = _RecordingUnpickler(pickle.dumps(est))
    loaded = unpickler.load()

    assert "_runtime" not in est.__getstate__()
    assert not any(
        module.partition(".")[0] in ("tensorflow", "keras", "tf_keras", "pyarrow")
        for module in unpickler.modules
    ), unpickler.modules
    np.testing.assert_array_equal(loaded.transform(_pets("cat", "lion")), expected)


@pytest.mark.skipif(
    not hasattr(StringLookupTransformer, "partial_fit"), reason="no partial_fit"
)
def test_partial_fit_counts_survive_pickling():
    """Counts kept by partial_fit round-trip, so fitting can go on after loading."""
    X = pd.DataFrame({"pet": ["cat", "dog", "bird", "cat", "fish", "dog", "cat"]})
    whole = StringLookupTransformer(engine="arrow", output_mode="tf_idf").fit(X)
    est = StringLookupTransformer(engine="arrow", output_mode="tf_idf")
    est.partial_fit(X.iloc[:3])

    loaded = pickle.loads(pickle.dumps(est)).partial_fit(X.iloc[3:])

    assert loaded.vocabularies_ == whole.vocabularies_
    np.testing.assert_array_equal(loaded.idf_weights_[0], whole.idf_weights_[0])
