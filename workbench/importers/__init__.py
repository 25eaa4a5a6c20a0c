"""Importers: source file -> normalised text, segments and metadata (pure functions).

One module per format registers its reader in :mod:`workbench.importers.registry`; text repair
for PDF-extracted text lives in :mod:`workbench.importers.repair`.
"""
