"""Media types of GraphQL over HTTP: what a client accepts and what it sends."""

from __future__ import annotations

from typing import Final

from citybrain.http.problems import NOT_ACCEPTABLE, UNSUPPORTED_MEDIA_TYPE, HTTPProblem

__all__ = ["GRAPHQL_RESPONSE_JSON", "JSON", "is_json_body", "negotiate", "wants_html"]

GRAPHQL_RESPONSE_JSON: Final = "application/graphql-response+json"
JSON: Final = "application/json"

# Ranked when q-values tie: the specification's own type first.
_OFFERED = (GRAPHQL_RESPONSE_JSON, JSON)


def _ranges(accept: str) -> list[tuple[str, float]]:
    found: list[tuple[str, float]] = []
    for part in accept.split(","):
        media, *parameters = (p.strip() for p in part.split(";"))
        if not media:
            continue
        quality = 1.0
        for parameter in parameters:
            name, _, value = parameter.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        found.append((media.lower(), quality))
    return found


def negotiate(accept: str | None) -> str:
    """The response media type for an ``Accept`` header.

    ``application/graphql-response+json`` when asked for by name; ``application/json``
    when asked for, for ``*/*`` or ``application/*``, and when ``Accept`` is missing.

    Raises:
        HTTPProblem: 406, the client accepts neither type.
    """
    if not accept or not accept.strip():
        return JSON
    best: tuple[float, int, str] | None = None
    for media, quality in _ranges(accept):
        if quality <= 0:
            continue
        if media in _OFFERED:
            candidate = (quality, 2 - _OFFERED.index(media), media)
        elif media in ("*/*", "application/*"):
            candidate = (quality, 0, JSON)
        else:
            continue
        if best is None or candidate > best:
            best = candidate
    if best is None:
        raise HTTPProblem(
            406,
            NOT_ACCEPTABLE,
            f"the graph answers in {GRAPHQL_RESPONSE_JSON} or {JSON}: accept one of them",
        )
    return best[2]


def wants_html(accept: str | None) -> bool:
    """Whether a browser is asking for a page (``text/html`` named in ``Accept``)."""
    return bool(accept) and "text/html" in (accept or "").lower()


def is_json_body(content_type: str | None) -> bool:
    """Whether a request body is JSON in UTF-8 (the only body the graph reads).

    Raises:
        HTTPProblem: 415, another media type or character set, or none at all.
    """
    if not content_type:
        raise HTTPProblem(
            415,
            UNSUPPORTED_MEDIA_TYPE,
            f"a POST must say `Content-Type: {JSON}` and carry a JSON body",
        )
    media, *parameters = (p.strip() for p in content_type.split(";"))
    if media.lower() != JSON:
        raise HTTPProblem(
            415,
            UNSUPPORTED_MEDIA_TYPE,
            f"the graph reads {JSON} bodies, not {media[:60]!r}: send "
            '`{"query": "…", "variables": {…}}` as JSON',
        )
    for parameter in parameters:
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "charset" and value.strip().strip('"').lower() not in (
            "utf-8",
            "utf8",
        ):
            raise HTTPProblem(415, UNSUPPORTED_MEDIA_TYPE, "send the JSON body in UTF-8")
    return True
