"""Running Vouch: settings, the staged build, and the editor's commands (Pelican side)."""
