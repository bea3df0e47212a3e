"""Secrets in inventory text: what looks like one, and the text with each replaced.

Used by the reader (every string value of the inventory), by ``import`` (every value of an
export) and wherever a message would quote input.
"""

from __future__ import annotations

import re

REDACTED = "[redacted]"
# Words that name a secret. A key that is one of them (``password``, ``smtp_token``,
# ``aws_secret_access_key``) holds a secret; a longer key holding one may be a secret itself.
_WORDS = (
    r"pass(?:word|wd|phrase)|pwd|secret|private[_-]?key|api[_-]?key|access[_-]?key"
    r"|secret[_-]?key|token|credentials?|kennwort|mot[_ ]de[_ ]passe|pfx[_ ]password"
)
# A plain name is letters and separators only: ``smtp_password``, ``clientSecret``. Digits or
# other text around the word (``password_hunter2``) may be the secret, so that name is not shown.
_SECRET_KEY = re.compile(rf"(?i)^(?:[a-z]+[_-]){{0,3}}(?:[a-z]*(?:{_WORDS})|pin|pw)$")
_SECRET_WORD = re.compile(rf"(?i)(?:{_WORDS})")
# A value after a secret's name: quoted (spaces allowed), a PowerShell ``( … )`` expression, or
# up to white space.
_VALUE = r"""(?:"[^"\n]*"|'[^'\n]*'|\([^()\n]*\)|[^\s"',;}]+)"""
# Ordinary words after "the password is", which say where a password is, not what it is.
_NOT_A_VALUE = (
    r"(?:in|on|at|under|stored|kept|held|saved|managed|listed|recorded|documented|rotated|"
    r"changed|set|known|required|needed|available|written|also|only|never|not|the|a|an|"
    r"same|blank|empty|expired|reset|shared|with|from|of|is|was|for|and|or|to|must|should|"
    r"will|can|has|expires|policy|file|command)\b"
)
_SECRET_TEXT = re.compile(
    r"(?i)-----BEGIN [A-Z ]*PRIVATE KEY-----.*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)"
    # a connection string's Password=two words; (up to the semicolon)
    rf"|\b(?:password|pwd)\s*=\s*[^;\n]*;"
    # password: x, api_key=x, "token": "x", aws_secret_access_key = x, pw: x
    rf"|[\"']?\b[\w-]*?(?:{_WORDS})[\w-]*[\"']?\s*[:=]\s*{_VALUE}"
    rf"|\bpw\s*[:=]\s*{_VALUE}"
    # passwd x (the command's way); PowerShell's -Password x, -AccountPassword (…), but not
    # a variable or a prompt: -Password $cred.Password, -Password (Get-Credential).Password
    rf"|\bpasswd\s+(?!{_NOT_A_VALUE}){_VALUE}"
    rf"|(?<![\w-])-\w*(?:{_WORDS})\w*\s+(?!-|\$|\((?:Get-Credential|Read-Host)\b){_VALUE}"
    # ConvertTo-SecureString 'x' -AsPlainText, ConvertTo-SecureString -String "x"
    rf"|\bConvertTo-SecureString\s+(?:-String\s+)?{_VALUE}"
    # the password is x, password for admin was x
    rf"|\b(?:{_WORDS})(?:\s+(?:for|of)\s+\S+)?\s+(?:is|was)\s*:?\s+(?!{_NOT_A_VALUE}){_VALUE}"
    # credentials in a URL: https://user:pw@host keeps the scheme and host
    r"|(?<=://)[^\s/:@]+:[^\s/@]+(?=@)"
    # AWS access key ids
    r"|\b(?:AKIA|ASIA)[0-9A-Z]{16}\b",
    re.DOTALL,
)
# With an AWS access key id in the same value, a 40-character key is its secret.
_AWS_ID = re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b")
_AWS_SECRET = re.compile(r"(?<![A-Za-z0-9/+=])[A-Za-z0-9/+=]{40}(?![A-Za-z0-9/+=])")


def redact_secrets(text: str) -> str | None:
    """``text`` with every secret in it replaced by ``[redacted]``, or ``None`` when it holds
    none. Detected: passwords, tokens, API and access keys after their name (``name: x``,
    ``"name": "x"``, ``the password is x``, ``pw: x``, ``passwd x``, ``Password=x;``), PowerShell
    ``-Password x`` and ``ConvertTo-SecureString 'x'``, ``net use`` passwords, private key
    blocks, credentials in URLs and AWS key pairs."""
    found = False
    if _AWS_ID.search(text):
        text, count = _AWS_SECRET.subn(REDACTED, text)
        found = bool(count)
    text, count = _SECRET_TEXT.subn(REDACTED, text)
    text, net_use = _NET_USE.subn(_net_use_redacted, text)
    changed = net_use and REDACTED in text
    return text if found or count or changed else None


# ``net use [drive:|*] \\host\share [password|*] [/user:domain\name] [/options]``: a word that is
# none of the others is the password, wherever it stands.
_NET_USE = re.compile(r"(?i)\bnet\s+use\b[^\n|&]*")
_NET_USE_KEPT = re.compile(r"""(?i)^(?:net|use|\*|[a-z]:|["']?[\\/].*|\[redacted\])$""")


def _net_use_redacted(match: re.Match[str]) -> str:
    words = re.split(r"(\s+)", match.group())
    return "".join(w if not w or w.isspace() or _NET_USE_KEPT.match(w) else REDACTED for w in words)


def secret_name(key: str) -> bool:
    """Whether a key's name may itself hold a secret (``password_hunter2``, ``token=x``), so
    messages must not print it. Plain secret names (``password``, ``api_key``) are not."""
    if _SECRET_KEY.match(key):
        return False
    return bool(_SECRET_WORD.search(key) or redact_secrets(key) is not None)


def names_a_secret(key: str) -> bool:
    """Whether a key is a plain secret's name (``password``, ``smtp_token``): its value is one."""
    return bool(_SECRET_KEY.match(key))
