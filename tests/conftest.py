"""Test-wide setup. xlwings' remote engine (xlwings/pro, PolyForm Noncommercial — permitted for a
government Sở GD&ĐT) needs its licence key before xlwings is first imported by any test module."""
import os

os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")
os.environ.setdefault("CDHT_LOG", os.path.join(os.path.dirname(__file__), "..", ".pytest_cache", "cdht-test.log"))
