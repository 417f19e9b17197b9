"""What the city can show of its counters from its own records: the council's figures, the congestion board."""
