"""Stakeholder networks: the only package that imports networkx (lazily, in graph.py)."""
