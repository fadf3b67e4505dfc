"""Toy Network Playground: see the puzzles of deep learning happen on small networks."""

__version__ = "0.1.0"
