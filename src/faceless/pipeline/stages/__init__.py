"""One module per stage; each takes and returns domain values."""
