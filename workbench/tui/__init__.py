"""The Textual front end: ``workbench PROJECT`` opens :class:`workbench.tui.app.WorkbenchApp`."""
