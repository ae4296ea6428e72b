"""Ways to copy a transformer, shared by the persistence tests."""

import copy
import io
import pickle

import cloudpickle
import joblib


def pickled(obj):
    """`obj` through pickle."""
    return pickle.loads(pickle.dumps(obj))


def joblibbed(obj):
    """`obj` through joblib, in memory."""
    buffer = io.BytesIO()
    joblib.dump(obj, buffer)
    buffer.seek(0)
    return joblib.load(buffer)


def cloudpickled(obj):
    """`obj` through cloudpickle."""
    return pickle.loads(cloudpickle.dumps(obj))


COPIES = {
    "pickle": pickled,
    "joblib": joblibbed,
    "cloudpickle": cloudpickled,
    "deepcopy": copy.deepcopy,
}
