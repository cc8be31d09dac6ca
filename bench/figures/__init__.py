"""One module per area; each figure is a function returning a ``Figure`` (or a list of them), registered in
``bench/run.py``'s ``FIGURES``."""
