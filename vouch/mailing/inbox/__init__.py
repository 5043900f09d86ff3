"""The newsletter's mailbox as the list manager: subscribe, confirm, unsubscribe, bounces.

Plain domain code (no IMAP, no SMTP): ``classify`` reads one message,
``bounces`` finds who failed, ``tokens`` makes and finds confirmation tokens,
``ledger`` remembers every action so a rerun does nothing twice, and
``handler`` decides what each message means for the list.
"""
