"""Secrets in a model id a user typed, taken out of any message that repeats it.

Why: `--model openai/gpt-4o?api_key=sk-...` or a base URL with `user:pass@` is refused,
rightly, but the refusal quoted the id back — the key ended up on stderr, in a CI log, in
a terminal's scroll-back. Every error message about a model id goes through `redact`:
`harness.registry` uses it on the ids it quotes, and the CLI applies it to every error and
log line it prints, as a last line of defence for messages made elsewhere (the backends).

What is redacted (each replaced by "[redacted]", the rest kept readable):

- the `user:password@` of a URL (`https://[redacted]@host/v1`);
- the value of a query option whose name says it is a secret (`api_key`, `key`,
  `token`, `secret`, `password`, `auth`, `signature`, ...; not `api_key_env`, which
  names an environment variable);
- a `Bearer` token, and anything shaped like an API key (`sk-...`, `sk-ant-...`).

    >>> redact("model id 'openai/gpt-4o?api_key=sk-abc123456789&timeout=5'")
    "model id 'openai/gpt-4o?api_key=[redacted]&timeout=5'"
    >>> redact("openai-compatible/x@https://user:pass@host/v1")
    'openai-compatible/x@https://[redacted]@host/v1'
"""

from __future__ import annotations

import re

REDACTED = "[redacted]"

_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^\s/?#@'\"]*@")
_SECRET_OPTION = re.compile(
    r"(?i)([?&;]\s*(?!api_key_env\b)[\w.-]*"
    r"(?:key|token|secret|passw|pwd|auth|cred|signature|sig\b|session)[\w.-]*\s*=)"
    r"[^&;#\s'\"]*"
)
_KEY_SHAPED = re.compile(r"\b(?:sk|rk|pk)-[A-Za-z0-9_-]{6,}|(?i:\bbearer\s+)[A-Za-z0-9._~+/=-]+")


def redact(text: str) -> str:
    """`text` without the secrets a model id (or a line about one) may carry."""
    if not text:
        return text
    text = _USERINFO.sub(lambda m: f"{m.group(1)}{REDACTED}@", text)
    text = _SECRET_OPTION.sub(lambda m: f"{m.group(1)}{REDACTED}", text)
    return _KEY_SHAPED.sub(REDACTED, text)
