"""HTTP layer: one blueprint per area; errors become HTTP answers in bridge/http/errors.py."""
