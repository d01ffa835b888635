"""The error every chat-model backend raises, and how secrets are kept out of its messages, in a
module of its own so the backends in assistant.components can use them without importing
assistant.llm (which imports them)."""
from __future__ import annotations

import re

from index.settings import Settings


class LLMError(RuntimeError):
    """A backend failed. The message is safe to show and to log (no secrets)."""


def mask_secrets(text: str, *secrets: str) -> str:
    """Replace every secret in `text` by ***, whatever its letter case: a server may echo an API
    key upper- or lower-cased. Secrets shorter than 3 characters cannot be told from text."""
    for secret in sorted({s for s in secrets if s and len(s) >= 3}, key=len, reverse=True):
        text = re.sub(re.escape(secret), "***", text, flags=re.IGNORECASE)
    return text


def settings_secrets(settings: Settings) -> list[str]:
    """Every secret a Settings holds: the API key and the login passwords."""
    users = settings.security.auth_users.get_secret_value()
    passwords = [pair.split(":", 1)[1] for pair in users.split(",") if ":" in pair]
    return [settings.llm.openai_api_key.get_secret_value(), *passwords]
