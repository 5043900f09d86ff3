"""Referrals done properly: double introductions, follow-ups, outcomes (private, never published)."""
