"""Running git on the folder that holds the inventory, for revisions and the page banner."""

from __future__ import annotations

import subprocess
from pathlib import Path


def git(folder: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    """``git -C folder args…``, its output captured; a failure is a return code, not an error."""
    return subprocess.run(["git", "-C", str(folder), *args], capture_output=True, check=False)
