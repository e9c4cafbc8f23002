"""Benchmarks: `python -m bench [name ...]` (or `make bench`) prints one JSON object per benchmark.

They report figures; they assert nothing. The test suite stays fast.
"""
