"""Rolling counties up into a prefecture or province (perfeval combine)."""
