"""Benchmarks: each bench/bench_*.py module has an async `main()` that prints its figures."""
