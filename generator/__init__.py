"""cdht_generator (folder ``generator/``): issues the locked, validated Excel templates.

It writes .xlsx files and never reads submissions. It depends only on the core of :mod:`cdht`
(catalogue, rules, contract, fingerprint); the operations and the CLI call it, never the reverse.
"""
