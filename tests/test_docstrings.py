"""The examples in the docstrings run and print what they show (``doctest``)."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import arquote

MODULES = sorted(m.name for m in pkgutil.walk_packages(arquote.__path__, "arquote.")
                 if not m.name.endswith("__main__"))


def test_every_module_is_listed():
    assert {"arquote.decode", "arquote.link", "arquote.numbers", "arquote.rules.engine"} <= set(MODULES)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    try:
        module = importlib.import_module(name)
    except ImportError as err:  # an optional extra (pyspark) that is not installed
        pytest.skip(f"{name}: {err}")
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples in {name} failed (see stdout)"
