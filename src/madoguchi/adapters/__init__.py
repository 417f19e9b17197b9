"""Adapters: the database, the devices and files."""
