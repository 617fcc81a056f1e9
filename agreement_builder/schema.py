"""JSON Schema of the input formats, generated from the models, for editors.

Editors that speak the YAML language server read a `# yaml-language-server: $schema=...`
line at the top of a file and then validate and complete keys as the user types.
"""

from __future__ import annotations

from .models import Agreement, Parties, Summit

_MODELS = {"agreement": Agreement, "parties": Parties, "summit": Summit}


def json_schema(kind: str = "agreement") -> dict:
    """Return the JSON Schema (draft 2020-12) of an agreement, parties or summit file."""
    model = _MODELS[kind]
    schema = model.model_json_schema(mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = f"agreement-builder {kind} file"
    return schema
