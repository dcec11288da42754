"""The HTML page that starts GraphiQL from the files under static/, and nothing else."""

from __future__ import annotations

import functools
import hashlib
import html
import json
from pathlib import Path
from string import Template

from inboxgraph.playground.operations import example_operations

_HERE = Path(__file__).resolve().parent
STATIC_DIR = _HERE / "static"
#: Where the app serves STATIC_DIR (below the root path); the page links its assets there.
STATIC_PATH = "/graphql/static"

FAVICON = "favicon.svg"
STYLESHEETS = (
    "vendor/graphiql/graphiql.min.css",
    "vendor/plugin-explorer/style.css",
    "playground.css",
)
# In load order: GraphiQL's UMD build needs the React globals, the explorer needs GraphiQL's.
SCRIPTS = (
    "vendor/react/react.production.min.js",
    "vendor/react-dom/react-dom.production.min.js",
    "vendor/graphiql/graphiql.min.js",
    "vendor/plugin-explorer/index.umd.js",
    "playground.js",
)

#: Sent with the page: the browser itself refuses anything from another origin.
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'none'",
        "script-src 'self'",
        # GraphiQL and CodeMirror position elements with inline style attributes.
        "style-src 'self' 'unsafe-inline'",
        # GraphiQL's fonts and icons are inlined as data: URLs in its stylesheet.
        "img-src 'self' data:",
        "font-src 'self' data:",
        # 'self' covers ws:// and wss:// to this host too, for subscriptions.
        "connect-src 'self'",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
    )
)

FALLBACK_TAB = """\
# The example operations (graphql/operations/*.graphql) are not installed here.
# Which providers are live, and which run in the sandbox:
{
  providers {
    provider
    mode
  }
}
"""
#: The headers editor's content in every tab when /graphql wants a bearer token.
AUTHORIZATION_HEADERS = '{\n  "Authorization": "Bearer "\n}'

_PAGE = Template((_HERE / "page.html").read_text(encoding="utf-8"))


def playground_page(*, root_path: str = "", auth_required: bool = False) -> str:
    """The GraphiQL page, its assets linked below `root_path` + STATIC_PATH."""
    prefix = root_path.rstrip("/") + STATIC_PATH
    headers = AUTHORIZATION_HEADERS if auth_required else ""
    tabs = [{"query": document, "headers": headers} for document in example_operations()]
    config = {"tabs": tabs or [{"query": FALLBACK_TAB, "headers": headers}], "headers": headers}
    return _PAGE.substitute(
        favicon=html.escape(_asset_url(prefix, FAVICON)),
        stylesheets="\n".join(
            f'    <link rel="stylesheet" href="{html.escape(_asset_url(prefix, name))}" />'
            for name in STYLESHEETS
        ),
        config=_script_safe_json(config),
        scripts="\n".join(
            f'    <script src="{html.escape(_asset_url(prefix, name))}"></script>'
            for name in SCRIPTS
        ),
    )


def _asset_url(prefix: str, name: str) -> str:
    # The content hash makes a browser fetch an asset again exactly when it changed.
    return f"{prefix}/{name}?v={_content_hash(name)}"


@functools.cache
def _content_hash(name: str) -> str:
    return hashlib.sha256((STATIC_DIR / name).read_bytes()).hexdigest()[:12]


def _script_safe_json(value: object) -> str:
    # JSON that can neither end the <script> element holding it nor open a comment there.
    text = json.dumps(value, ensure_ascii=True)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
