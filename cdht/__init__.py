"""cdht — Cộng đồng học tập (Thông tư 25/2023/TT-BGDĐT): the library and the ``cdht`` CLI.

Layers, top to bottom (a lower layer never imports a higher one; ``.importlinter`` holds it):

- ``cdht.cli`` (and the Excel add-in, package ``cdht_addin``): thin front-ends;
- ``cdht.ops``: the operations every command and every button calls (assess, register, merge,
  contributions, returns, the results sheet);
- ``cdht.read``: reading a submitted workbook into a :class:`~cdht.read.submission.Submission`;
- ``cdht_generator``: the template writer (folder ``generator/``);
- ``cdht.xlsx``: low-level xlsx helpers;
- the core: ``cdht.edition`` (catalogue), ``cdht.rules``, ``cdht.evaluate``, ``cdht.messages``,
  ``cdht.contract`` (named-cell contract), ``cdht.fingerprint``, ``cdht.units``.
"""
__version__ = "0.1.0"
