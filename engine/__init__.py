"""Piano Genie engine."""
