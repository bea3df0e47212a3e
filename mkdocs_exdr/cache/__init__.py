"""Caches kept in a folder beside mkdocs.yml: generated pages, and check results by input hash.

Everything here is safe to delete: a missing, truncated or foreign file is a cache miss.
"""
