"""The docstring examples of the installed package run and print what they show."""

import doctest
import importlib
import pkgutil

import pytest

import skstringlookup

MODULES = sorted(
    info.name
    for info in pkgutil.iter_modules(skstringlookup.__path__, "skstringlookup.")
)


@pytest.mark.parametrize("name", MODULES, ids=MODULES)
def test_docstring_examples(name):
    """Every example in the module's docstrings gives the output it shows."""
    module = importlib.import_module(name)

    result = doctest.testmod(
        module, optionflags=doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS
    )

    assert result.failed == 0
    if name == "skstringlookup._transformer":
        assert result.attempted >= 8
