"""workbench: a terminal-first qualitative-analysis workbench for Danish action research."""

__version__ = "0.1.0"
