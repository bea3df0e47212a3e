"""Characters no name, path, command or terminal line may hold as they are: C0 and C1
controls, line and paragraph separators, bidirectional marks, embeddings, overrides and
isolates, zero-width characters and a byte order mark inside text."""

from __future__ import annotations

import re

#: The set, as the inside of a regular-expression character class.
UNSAFE = "\x00-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff"
UNSAFE_CHARACTERS = re.compile(f"[{UNSAFE}]")
