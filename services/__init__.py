"""Domain services: plain async Python. Nothing here imports `telegram`."""
