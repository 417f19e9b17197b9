"""`make bench`: throughput and latency measured against baselines from the same run."""
