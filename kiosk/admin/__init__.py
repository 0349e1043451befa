"""`kiosk-admin`, the staff command line: import, search, stats, verify, rebuild the index."""
