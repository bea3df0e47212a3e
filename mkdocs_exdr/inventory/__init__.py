"""The inventory model: sites, servers, databases, backups and acceptances as frozen dataclasses."""
