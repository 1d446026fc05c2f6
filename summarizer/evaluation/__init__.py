"""Gold set, scoring and eval runs: how every structured output is checked."""
