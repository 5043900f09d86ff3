"""``invoke import``: spreadsheet rows to pending profiles (reading, header mapping, cleaning, the plan)."""
