"""Parsing a GraphQL document within the character and token limits, with a cache."""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

from graphql import GraphQLError, GraphQLSyntaxError, parse

from citybrain.limits.codes import DOCUMENT_TOO_LARGE, GRAPHQL_PARSE_FAILED, TOO_MANY_TOKENS

if TYPE_CHECKING:
    from graphql import DocumentNode

__all__ = ["DocumentRefused", "parse_document"]

# graphql-core: "Document contains more than N tokens."
_TOKEN_LIMIT_HIT = "more than"  # noqa: S105 - an error message, not a secret


class DocumentRefused(GraphQLError):
    """A document that is too large or does not parse; ``extensions.code`` says which."""


@lru_cache(maxsize=512)
def _parse(query: str, max_tokens: int) -> DocumentNode | GraphQLSyntaxError:
    try:
        return parse(query, max_tokens=max_tokens)
    except GraphQLSyntaxError as error:
        return error


def parse_document(query: str, *, max_chars: int, max_tokens: int) -> DocumentNode:
    """The parsed document (cached by text), or :class:`DocumentRefused`.

    The character limit is checked before any lexing; the token limit stops the parser
    at the first token past it, so a huge document costs no more than a small one.

    Raises:
        DocumentRefused: too many characters or tokens, or a syntax error.
    """
    if len(query) > max_chars:
        raise DocumentRefused(
            f"the document has {len(query)} characters, more than the {max_chars} allowed; "
            "send a smaller one or a persisted operation's hash",
            extensions={"code": DOCUMENT_TOO_LARGE},
        )
    parsed = _parse(query, max_tokens)
    if not isinstance(parsed, GraphQLSyntaxError):
        return parsed
    if _TOKEN_LIMIT_HIT in parsed.message:
        raise DocumentRefused(
            f"the document has more than {max_tokens} tokens; send a smaller one",
            extensions={"code": TOO_MANY_TOKENS},
        )
    raise DocumentRefused(
        parsed.message,
        source=parsed.source,
        positions=parsed.positions,
        extensions={"code": GRAPHQL_PARSE_FAILED},
    )
