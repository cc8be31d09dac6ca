"""Benchmarks: ``python bench/run.py [NAME ...]`` (see README.md)."""
