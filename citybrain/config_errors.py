"""Configuration mistakes told in one line each: what is wrong and what to do.

The ``citybrain`` command turns the exceptions below into a message on stderr and exit
status 2, never a traceback. Messages name settings and files, never a setting's value (a
value may be a password or a key).
"""

from __future__ import annotations

import json
import re

from pydantic import ValidationError
from pydantic_settings import SettingsError
from sqlalchemy.exc import ArgumentError

from citybrain.auth.keys import TokenConfigurationError
from citybrain.auth.policy import PolicyError
from citybrain.connectors.registry import ConnectorSetupError
from citybrain.http.manifest import ManifestError

__all__ = ["explain_configuration_error"]

_SEE = "see docs/operations.md"
_FIELD = re.compile(r'field "(?P<name>[a-z0-9_]+)"')


def _variable(name: object) -> str:
    return f"CITYBRAIN_{str(name).upper()}"


def _validation(error: ValidationError) -> list[str]:
    lines = []
    for item in error.errors(include_url=False, include_input=False):
        message = str(item["msg"]).removeprefix("Value error, ")
        if item["loc"]:
            lines.append(f"{_variable(item['loc'][0])}: {message} ({_SEE})")
        else:
            lines.append(f"{message} ({_SEE})")
    return lines


def _settings(error: SettingsError) -> list[str]:
    found = _FIELD.search(str(error))
    name = _variable(found["name"]) if found else "a CITYBRAIN_* variable"
    cause = error.__cause__
    if isinstance(cause, json.JSONDecodeError):
        return [f"{name} is not valid JSON ({cause.msg}, column {cause.colno}); {_SEE}"]
    return [f"{name} cannot be read: {cause or error} ({_SEE})"]


def explain_configuration_error(error: BaseException) -> list[str] | None:
    """The lines telling ``error`` as a configuration mistake, or None if it is not one."""
    if isinstance(error, ValidationError):
        return _validation(error)
    if isinstance(error, SettingsError):
        return _settings(error)
    if isinstance(error, ConnectorSetupError):
        return [f"{error} (see docs/connectors.md)"]
    if isinstance(error, PolicyError):
        return [f"{error} (set CITYBRAIN_POLICY_FILE to a readable policy; see access-control.md)"]
    if isinstance(error, TokenConfigurationError):
        return [f"{error} (check CITYBRAIN_JWKS_FILE / CITYBRAIN_SIGNING_KEY; see security.md)"]
    if isinstance(error, ManifestError):
        return [f"{error} (check CITYBRAIN_OPERATIONS_FILE; see security.md)"]
    if isinstance(error, ArgumentError):
        # SQLAlchemy may quote the URL, password included: name the problem only.
        return [
            f"a database URL cannot be used ({type(error).__name__}): check the "
            f"CITYBRAIN_*_URL settings; each takes an async SQLAlchemy URL ({_SEE})"
        ]
    return None
