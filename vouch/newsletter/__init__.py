"""The newsletter: digest windows, e-mail rendering, pre-send checks, the send ledger."""
