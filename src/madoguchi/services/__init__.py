"""Services: plain functions that do one piece of work inside a unit of work.

They are the only place that commits. Each takes a :class:`Runtime` (settings,
catalog, places, unit-of-work factory, devices, clock) and keyword-only values.
"""
