"""The project's own benchmark: a workload generator and a runner (``make bench``)."""
