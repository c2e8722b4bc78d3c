"""cdht_generator (folder ``generator/``): issues the locked, validated Excel templates.

It writes .xlsx files and never reads submissions. It depends only on the core of :mod:`cdht`
(catalogue, rules, contract, fingerprint, dates) and :mod:`cdht.xlsx`; the operations and the CLI
call it, never the reverse.

- ``api.py`` — :func:`~cdht_generator.api.generate`, the library call behind ``cdht generate``;
- ``workbook.py`` — :func:`~cdht_generator.workbook.build_workbook`: a template, sheet by sheet;
- ``contributor.py`` — a contributing department's data form, over the same core and sheets;
- ``builder.py`` — the core: :class:`~cdht_generator.builder.Book` (defined names, data validations,
  protection, print set-up), file names, template ids, the filing deadline;
- ``sheets/`` — one module per sheet, each with ``write(book, …)``;
- ``formulas.py`` — the live Excel formulas from the catalogue's rules; ``styles.py`` — cell styles
  (colours from :mod:`cdht.contract`);
- ``lint.py`` — the checks every workbook passes before it is written.
"""

from cdht.xlsx.book import openpyxl as _openpyxl

# Every module here imports openpyxl; the package imports it first, through the one door that
# leaves numpy out of it (cdht.xlsx.book: half of openpyxl's import cost, for values we never write).
_openpyxl()
