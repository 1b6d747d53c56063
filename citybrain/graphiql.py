"""GraphiQL served entirely by the app: city networks are closed, so no CDN at run time.

``scripts/vendor-web-assets`` (run by ``make install``) copies the pinned npm packages of
``web/package-lock.json`` (React 18 and the GraphiQL 4 UMD builds, with the explorer plugin)
into ``citybrain/static/vendor/``. :func:`static_files` serves that folder and
:func:`graphiql_html` renders a page that loads only those files::

    Mount("/static", app=static_files(), name="static")
    HTMLResponse(graphiql_html(endpoint="/graphql", static_prefix="/static"))
"""

from __future__ import annotations

import html
import json
from pathlib import Path

import anyio
from starlette.staticfiles import StaticFiles

__all__ = [
    "MISSING_ASSETS_MESSAGE",
    "SCRIPTS",
    "STATIC_DIR",
    "STYLESHEETS",
    "VENDOR_DIR",
    "assets_installed",
    "graphiql_html",
    "static_files",
]

STATIC_DIR = Path(__file__).parent / "static"
VENDOR_DIR = STATIC_DIR / "vendor"

# Paths relative to the static folder, in load order (GraphiQL needs the React globals and the
# explorer plugin needs the GraphiQL global). Keep in step with scripts/vendor-web-assets.
SCRIPTS = (
    "vendor/react/react.production.min.js",
    "vendor/react-dom/react-dom.production.min.js",
    "vendor/graphiql/graphiql.min.js",
    "vendor/graphiql-plugin-explorer/index.umd.js",
)
STYLESHEETS = (
    "vendor/graphiql/graphiql.min.css",
    "vendor/graphiql-plugin-explorer/style.css",
)

MISSING_ASSETS_MESSAGE = (
    "GraphiQL assets are missing: run `make install` (it runs scripts/vendor-web-assets)."
)

DEFAULT_QUERY = """\
# Welcome to citybrain GraphiQL.
#
# Run a query with Ctrl-Enter or the run button.
# Docs (book icon) lists every type and field;
# Explorer (folder icon) builds a query by ticking
# fields. Headers such as Authorization go in the
# Headers tab below.

{
  __typename
}
"""

_PAGE = """\
<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>citybrain GraphiQL</title>
    <link rel="icon" href="data:,">
{stylesheets}
    <style>
      html, body {{ height: 100%; margin: 0; overflow: hidden; }}
      #graphiql {{ height: 100vh; }}
      .citybrain-graphiql-error {{
        font-family: system-ui, sans-serif; margin: 2rem; white-space: pre-wrap;
      }}
    </style>
  </head>
  <body>
    <div id="graphiql">Loading GraphiQL...</div>
    <script id="citybrain-graphiql-config" type="application/json">{config}</script>
{scripts}
    <script>
      (function () {{
        "use strict";
        var root = document.getElementById("graphiql");
        var config = JSON.parse(
          document.getElementById("citybrain-graphiql-config").textContent
        );
        function fail(message) {{
          root.className = "citybrain-graphiql-error";
          root.textContent = message;
        }}
        if (typeof React === "undefined" || typeof ReactDOM === "undefined" ||
            typeof GraphiQL === "undefined") {{
          fail(config.missingAssetsMessage);
          return;
        }}
        try {{
          var url = new URL(config.endpoint, window.location.href);
          var subscriptionUrl = new URL(url.href);
          subscriptionUrl.protocol = url.protocol === "https:" ? "wss:" : "ws:";
          var props = {{
            fetcher: GraphiQL.createFetcher({{
              url: url.href,
              subscriptionUrl: subscriptionUrl.href,
            }}),
            defaultQuery: config.defaultQuery,
            isHeadersEditorEnabled: true,
            shouldPersistHeaders: false,
            inputValueDeprecation: true,
            defaultEditorToolsVisibility: config.defaultHeaders === null ? true : "headers",
            plugins: [],
          }};
          if (config.defaultHeaders !== null) {{
            props.defaultHeaders = config.defaultHeaders;
          }}
          if (typeof GraphiQLPluginExplorer !== "undefined") {{
            props.plugins.push(GraphiQLPluginExplorer.explorerPlugin());
          }}
          ReactDOM.createRoot(root).render(React.createElement(GraphiQL, props));
        }} catch (error) {{
          fail("GraphiQL failed to start: " + error);
        }}
      }})();
    </script>
  </body>
</html>
"""


def _script_json(value: object) -> str:
    """JSON that is safe inside a ``<script>`` element (no ``</script>`` nor ``<!--``)."""
    text = json.dumps(value, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def graphiql_html(
    endpoint: str = "/graphql",
    static_prefix: str = "/static",
    default_headers: str | None = None,
) -> str:
    """The GraphiQL page, loading only app-served assets.

    Args:
        endpoint: the GraphQL endpoint's URL, usually a path such as ``/graphql`` (resolved
            against the page's address; subscriptions use the same URL over ``ws(s)://``).
        static_prefix: where :func:`static_files` is mounted (``/static``).
        default_headers: the Headers tab's text for new tabs, a JSON object such as
            ``'{"Authorization": "Bearer <token>"}'``; the Headers tab is opened when given.
            Headers are never persisted in the browser's storage.
    """
    prefix = static_prefix.rstrip("/")
    stylesheets = "\n".join(
        f'    <link rel="stylesheet" href="{html.escape(f"{prefix}/{path}")}">'
        for path in STYLESHEETS
    )
    scripts = "\n".join(
        f'    <script src="{html.escape(f"{prefix}/{path}")}"></script>' for path in SCRIPTS
    )
    config = {
        "endpoint": endpoint,
        "defaultHeaders": default_headers,
        "defaultQuery": DEFAULT_QUERY,
        "missingAssetsMessage": MISSING_ASSETS_MESSAGE,
    }
    return _PAGE.format(stylesheets=stylesheets, scripts=scripts, config=_script_json(config))


def assets_installed() -> bool:
    """Whether ``scripts/vendor-web-assets`` has put every file the page loads in place."""
    return all((STATIC_DIR / path).is_file() for path in (*SCRIPTS, *STYLESHEETS))


class _StaticFiles(StaticFiles):
    """Starlette's static files, answering 404 rather than 500 while the folder is missing."""

    async def check_config(self) -> None:
        if self.directory is not None and not await anyio.Path(self.directory).is_dir():
            return
        await super().check_config()


def static_files() -> StaticFiles:
    """An ASGI app serving ``citybrain/static`` (GraphiQL's files are under ``vendor/``).

    It serves even before the assets are vendored (answering 404 for them) so that the rest of
    the service runs; check :func:`assets_installed` to warn, and the page itself tells the
    person what to run when its scripts did not load.
    """
    return _StaticFiles(directory=STATIC_DIR, check_dir=False)
