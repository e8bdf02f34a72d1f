"""Every database query and write lives in this package; routes call these functions only."""
