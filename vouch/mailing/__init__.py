"""The private side: subscribers, the send ledger and sender, introductions and their ledger (never published)."""
