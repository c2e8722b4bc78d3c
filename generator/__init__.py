"""cdht generator: the criteria catalogue, the rule evaluator and the Excel templates it issues.

Depends on nothing else of the project; ``addin`` depends on it, never the reverse.
"""
__version__ = "0.1.0"
