"""What operators see: one structured log line per request and per query, and latency histograms."""
