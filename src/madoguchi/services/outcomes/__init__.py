"""What the city can show of its counters from its own records: the public congestion board."""
