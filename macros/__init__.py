"""The add-in's VBA (ASCII, only RunPython calls) and ribbon XML, shipped as package data so an
installed (non-editable) cdht can build cdht.xlam: importlib.resources.files("cdht_macros")."""
