"""xlwings Lite front-end (Python in Excel's browser sandbox): see :mod:`addin.lite.main`."""
