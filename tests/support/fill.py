"""Fill a generated template by defined name — moved to the library (:mod:`cdht.fill`) so the demo,
the scripts and the tests share one copy; re-exported here for the tests' existing imports."""
from cdht.fill import SAMPLE_INPUTS, cell_of, evidence_for, fill, named_values, write_evidence, write_values

__all__ = ["SAMPLE_INPUTS", "cell_of", "evidence_for", "fill", "named_values", "write_evidence", "write_values"]
