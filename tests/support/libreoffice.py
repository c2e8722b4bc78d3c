"""The LibreOffice recalculation oracle moved to ``scripts/libreoffice.py`` (the README's picture
renderer uses it too, and scripts never import ``tests/``); re-exported for existing imports."""
from scripts.libreoffice import recalc, recalculated_values, soffice_path

__all__ = ["soffice_path", "recalc", "recalculated_values"]
