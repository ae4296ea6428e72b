"""The test environment has every optional dependency, so no test skips quietly."""

import importlib

import pytest

OPTIONAL = ["polars", "skl2onnx", "onnxruntime", "skops", "dask", "distributed"]


@pytest.mark.parametrize("module", OPTIONAL, ids=OPTIONAL)
def test_optional_dependency_is_installed(module):
    """The `test` extra installs it; tests that need it would otherwise skip."""
    assert importlib.import_module(module).__name__ == module
