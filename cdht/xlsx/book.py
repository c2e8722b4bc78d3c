"""openpyxl, imported without numpy: the one door through which cdht and cdht_generator import it.

Why: openpyxl imports numpy at its own import (``openpyxl/compat/numbers.py``) for one purpose
only — to accept numpy scalars (``numpy.int64``, ``numpy.bool_`` …) as cell values. That import
is about half of importing openpyxl (0.15–0.3 s of CPU), paid by every process that writes a
workbook — a written merge, ``generate``, ``check --write`` — none of which has a numpy value to
write. So, when numpy is not loaded yet, openpyxl is imported while ``import numpy`` fails (a
``None`` in ``sys.modules``, Python's documented way to make an import raise ``ImportError``):
openpyxl then takes the branch it takes on a machine without numpy. Nothing else changes, and
numpy stays importable afterwards (pandas, for ``cdht report``, loads it as usual).

The consequence, and its guard: in such a process openpyxl refuses numpy scalars as cell values.
Our values reach cells through :func:`cdht.xlsx.names.put`, which turns a numpy scalar into the
Python number openpyxl would have written (:func:`plain_value`), so the order in which openpyxl
and numpy are first imported never changes a written cell. A process that loaded numpy first
gets openpyxl as usual.

Not thread-safe against another thread importing numpy during those few milliseconds (it would
get ``ImportError``); openpyxl is imported from the main thread.
"""
from __future__ import annotations

import gc
import sys
import warnings
from contextlib import contextmanager
from types import ModuleType


def openpyxl() -> ModuleType:
    """The openpyxl module, imported (once) without numpy unless numpy is already loaded."""
    mod = sys.modules.get("openpyxl")
    if mod is not None:
        return mod
    if "numpy" in sys.modules:  # already paid for: openpyxl takes numpy scalars as usual
        import openpyxl as mod
        return mod
    sys.modules["numpy"] = None  # `import numpy` raises ImportError for the duration
    try:
        import openpyxl as mod
    finally:
        if "numpy" in sys.modules and sys.modules["numpy"] is None:
            del sys.modules["numpy"]
    return mod


def load_workbook(path, **options):
    """``openpyxl.load_workbook(path, **options)``, imported through :func:`openpyxl`, its warnings
    (extensions openpyxl does not know, data validations it drops) silenced."""
    opx = openpyxl()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return opx.load_workbook(path, **options)


def plain_value(value):
    """A numpy scalar as the Python value openpyxl writes for it when it imported numpy (a number;
    ``numpy.bool_`` as 1 or 0, as openpyxl counts it among the numbers); anything else unchanged.
    Recognised by its type's module, so numpy is never imported here."""
    if getattr(type(value), "__module__", None) == "numpy" and hasattr(value, "item"):
        item = value.item()
        if isinstance(item, bool):
            return int(item)
        if isinstance(item, (int, float)):
            return item
    return value


@contextmanager
def gc_paused():
    """Python's cyclic garbage collector paused for the duration (as it was after). Loading,
    filling and saving a workbook create hundreds of thousands of objects (openpyxl's cells) that
    live until the save; each collection of the oldest generation walks all of them again for no
    garbage — about a tenth of the writing of a large merge."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
