"""Cross-cutting pieces: errors, clock, security headers, health check."""
