"""Offline copies and printouts: shipped browser assets and the zip bundle."""
