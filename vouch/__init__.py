"""Vouch domain: load, validate and publish partner profiles (no Pelican here)."""
