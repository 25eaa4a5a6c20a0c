"""Modal dialogs: pickers, prompts, confirmations and forms."""
