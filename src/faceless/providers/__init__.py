"""Providers: one protocol per capability (see base.py), found through the registry."""
