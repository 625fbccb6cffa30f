"""Property tests: each property quotes the rule it checks."""
