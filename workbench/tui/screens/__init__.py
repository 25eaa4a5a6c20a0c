"""Screens of the workbench app, one module (and one .tcss) each."""
