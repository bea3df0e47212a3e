"""Secrets in inventory text: what looks like one, and the text with each replaced.

Used by the reader (every string value of the inventory), by ``import`` (every value of an
export) and wherever a message would quote input.
"""

from __future__ import annotations

import base64
import binascii
import re
from functools import lru_cache

from detect_secrets.plugins.azure_storage_key import AzureStorageKeyDetector
from detect_secrets.plugins.discord import DiscordBotTokenDetector
from detect_secrets.plugins.github_token import GitHubTokenDetector
from detect_secrets.plugins.gitlab_token import GitLabTokenDetector
from detect_secrets.plugins.jwt import JwtTokenDetector
from detect_secrets.plugins.mailchimp import MailchimpDetector
from detect_secrets.plugins.npm import NpmDetector
from detect_secrets.plugins.openai import OpenAIDetector
from detect_secrets.plugins.pypi_token import PypiTokenDetector
from detect_secrets.plugins.sendgrid import SendGridDetector
from detect_secrets.plugins.slack import SlackDetector
from detect_secrets.plugins.square_oauth import SquareOAuthDetector
from detect_secrets.plugins.stripe import StripeDetector
from detect_secrets.plugins.telegram_token import TelegramBotTokenDetector
from detect_secrets.plugins.twilio import TwilioKeyDetector

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
_PASSWORD_LIKE = rf"""(?=["']?[^\s"',;}}]*[\d!@#$%^&*+=?~_]){_VALUE}"""
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
    r"|\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"
    # an HTTP Authorization header (Basic, Bearer, NTLM …); Google API keys
    rf"|\bAuthorization\s*[:=]\s*[\w-]+\s+{_VALUE}"
    r"|\bAIza[\w-]{35}(?![\w-])"
    # pass: x and PW x where x holds a digit or a symbol ("Second pass: run eseutil" is kept);
    # psexec's -p x
    rf"|\bpass\s*[:=]\s*{_PASSWORD_LIKE}"
    rf"|(?<![\w-])(?:PW|Pw|pw)\s+(?!{_NOT_A_VALUE}|[:=]){_PASSWORD_LIKE}"
    rf"|\bpsexec\b[^\n|&]*?\s[-/]p\s+{_VALUE}",
    re.DOTALL,
)
# With an AWS access key id in the same value, a 40-character key is its secret.
_AWS_ID = re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b")
_AWS_SECRET = re.compile(r"(?<![A-Za-z0-9/+=])[A-Za-z0-9/+=]{40}(?![A-Za-z0-9/+=])")


def redact_secrets(text: str) -> str | None:
    """``text`` with every secret in it replaced by ``[redacted]``, or ``None`` when it holds
    none (the answer for a short text is remembered: inventories repeat their words, and
    ``serve`` reads them again at each save)."""
    return _redacted_short(text) if len(text) <= _SHORT else _redacted(text)


_SHORT = 200


@lru_cache(maxsize=65_536)
def _redacted_short(text: str) -> str | None:
    return _redacted(text)


def _redacted(text: str) -> str | None:
    """``redact_secrets``, worked out. Detected: passwords, tokens, API and access keys after
    their name (``name: x``, ``"name": "x"``, ``the password is x``, ``pw: x``, ``passwd x``,
    ``Password=x;``), PowerShell ``-Password x`` and ``ConvertTo-SecureString 'x'``, ``net use``
    passwords, private key blocks, credentials in URLs and AWS key pairs."""
    found = False
    if _AWS_ID.search(text):
        text, count = _AWS_SECRET.subn(REDACTED, text)
        found = bool(count)
    text, count = _SECRET_TEXT.subn(REDACTED, text)
    text, net_use = _NET_USE.subn(_net_use_redacted, text)
    changed = net_use and REDACTED in text
    spans = sorted(_token_spans(text), reverse=True)
    for start, end in spans:
        text = text[:start] + REDACTED + text[end:]
    return text if found or count or changed or spans else None


# Tokens known by their form, whatever name stands before them: the detectors of Yelp's
# detect-secrets (Slack, GitHub, GitLab, JWT, Azure storage keys …), their patterns only, run on
# the text (none of its file scanning, settings or verification over the network). Left out:
# its keyword and entropy detectors (they flag ordinary hostnames and GUIDs), public IP addresses
# and Artifactory's (a name such as APEXMAIL01 fits it).
def _inline_flags(pattern: re.Pattern[str]) -> str:
    flags = {re.IGNORECASE: "i", re.MULTILINE: "m", re.DOTALL: "s", re.VERBOSE: "x"}
    return "".join(letter for flag, letter in flags.items() if pattern.flags & flag)


_TOKENS = re.compile(
    "|".join(
        f"(?{_inline_flags(pattern)}:{pattern.pattern})"
        for detector in (
            AzureStorageKeyDetector,
            DiscordBotTokenDetector,
            GitHubTokenDetector,
            GitLabTokenDetector,
            MailchimpDetector,
            NpmDetector,
            OpenAIDetector,
            PypiTokenDetector,
            SendGridDetector,
            SlackDetector,
            SquareOAuthDetector,
            StripeDetector,
            TelegramBotTokenDetector,
            TwilioKeyDetector,
        )
        for pattern in detector.denylist
    )
)  # one pass over the text, not one per pattern
_JWT = tuple(JwtTokenDetector.denylist)
# What a token may go on with past its pattern's match (a JWT's signature, a key's padding).
_TOKEN_TAIL = re.compile(r"[\w+/=.~-]*")
# HTTP Basic credentials without their header: the base64 of "user:password".
_BASIC = re.compile(r"\bBasic\s+([A-Za-z0-9+/]{4,}={0,2})(?![\w+/=])")


def _token_spans(text: str) -> list[tuple[int, int]]:
    """Where tokens known by their form stand in ``text``, overlapping ones merged."""
    found: list[tuple[int, int]] = []
    for pattern in (_TOKENS, *_JWT):
        for match in pattern.finditer(text):
            if pattern in _JWT and not JwtTokenDetector.is_formally_valid(match.group()):
                continue
            tail = _TOKEN_TAIL.match(text, match.end())
            found.append((match.start(), tail.end() if tail else match.end()))
    found += [m.span(1) for m in _BASIC.finditer(text) if _is_credentials(m.group(1))]
    merged: list[tuple[int, int]] = []
    for start, end in sorted(found):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _is_credentials(text: str) -> bool:
    try:
        decoded = base64.b64decode(text, validate=True).decode("ascii")
    except (binascii.Error, UnicodeDecodeError):
        return False
    return ":" in decoded and decoded.isprintable()


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
