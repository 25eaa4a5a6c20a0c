"""Exporters: quote sets, reports, REFI-QDA and graph files; a registry of formats."""
