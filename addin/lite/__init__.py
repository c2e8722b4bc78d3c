"""xlwings Lite front-end (Python in Excel's browser sandbox): see :mod:`cdht_addin.lite.main`."""
