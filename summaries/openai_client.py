"""The one module that talks to an OpenAI-compatible LLM server (OpenAI, vLLM, Ollama, llama.cpp…).

One call: chat completions with a JSON schema as the response format, answered with a dict.
Everything that goes wrong (unreachable, refused, timed out, cut short, not JSON) is an `LLMError`.
The server and key come from settings (OPENAI_BASE_URL, OPENAI_API_KEY), never from ambient env.
"""

import json
import logging
import urllib.error
import urllib.request
from typing import Any

from django.conf import settings

logger = logging.getLogger(__name__)


class LLMError(Exception):
    """The LLM server could not give a usable answer."""


def complete_json(
    *, messages: list[dict[str, str]], schema: dict[str, Any], schema_name: str, model: str
) -> dict[str, Any]:
    """Ask for a reply that follows `schema` (strict structured output) and return it parsed."""
    url = f"{settings.OPENAI_BASE_URL}/chat/completions"
    if not url.startswith(("http://", "https://")):
        raise LLMError(f"OPENAI_BASE_URL must be an http(s) URL, not {settings.OPENAI_BASE_URL!r}")
    body = {
        "model": model,
        "messages": messages,
        "temperature": 0.2,
        "response_format": {
            "type": "json_schema",
            "json_schema": {"name": schema_name, "strict": True, "schema": schema},
        },
    }
    request = urllib.request.Request(  # noqa: S310 - the scheme is checked above
        url,
        data=json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {settings.OPENAI_API_KEY}", "Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=settings.OPENAI_TIMEOUT) as response:  # noqa: S310
            payload = json.loads(response.read())
    except urllib.error.HTTPError as exc:
        detail = exc.read()[:200].decode(errors="replace")
        raise LLMError(f"the LLM server answered {exc.code}: {detail}") from exc
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise LLMError(f"the LLM server is unreachable: {exc}") from exc
    except ValueError as exc:
        raise LLMError("the LLM server did not answer with JSON") from exc
    try:
        choice = payload["choices"][0]
        message = choice["message"]
    except (KeyError, IndexError, TypeError) as exc:
        raise LLMError("the LLM server's answer has no choices") from exc
    if message.get("refusal"):
        raise LLMError(f"the model refused: {message['refusal']}")
    if choice.get("finish_reason") == "length":
        raise LLMError("the model's answer was cut short")
    try:
        content = json.loads(message.get("content") or "")
    except ValueError as exc:
        raise LLMError("the model's answer is not JSON") from exc
    if not isinstance(content, dict):
        raise LLMError("the model's answer is not a JSON object")
    return content
