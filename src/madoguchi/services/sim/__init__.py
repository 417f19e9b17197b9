"""The simulated counter for the demo and the benchmarks."""
