"""cdht add-in: the operations on filled workbooks (compute, check, merge) and their front-ends.

The xlwings entry points (ribbon buttons) and the ``cdht`` CLI are thin skins over the same
library functions. Depends on ``generator``; never imported by it.
"""
from generator import __version__  # noqa: F401
