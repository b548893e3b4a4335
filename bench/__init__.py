"""ARGO benchmarks (`make bench`); see bench/run.py."""
