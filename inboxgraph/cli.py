"""The `inboxgraph` command: serve, print the schema, or serve the sandbox emulators."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from inboxgraph.config import ConfigurationError, load_settings
from inboxgraph.request_ids import RequestIdLogFilter
from inboxgraph.secrets import RedactingFilter, Redactor

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
DEFAULT_SANDBOX_PORT = 8001


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="inboxgraph", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser(
        "serve", help="serve the GraphQL API (sandbox for unconfigured providers)"
    )
    serve.add_argument("--host", default=DEFAULT_HOST)
    serve.add_argument("--port", type=int, default=DEFAULT_PORT)
    commands.add_parser("schema", help="print the subgraph SDL")
    sandbox = commands.add_parser("sandbox", help="serve the provider emulators over real HTTP")
    sandbox.add_argument("--host", default=DEFAULT_HOST)
    sandbox.add_argument("--port", type=int, default=DEFAULT_SANDBOX_PORT)
    return parser


def configure_logging(secrets: Sequence[str]) -> None:
    """Log to stderr through a filter that masks every configured credential."""
    logging.basicConfig(
        level=logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s",
    )
    # inboxgraph logs every upstream call itself (provider, method, path, status).
    logging.getLogger("httpx").setLevel(logging.WARNING)
    redacting = RedactingFilter(Redactor(secrets))
    for handler in logging.getLogger().handlers:
        handler.addFilter(RequestIdLogFilter())
        handler.addFilter(redacting)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "schema":
        from inboxgraph.api import schema

        sys.stdout.write(schema.as_str() + "\n")
        return 0

    import uvicorn

    try:
        settings = load_settings()
    except ConfigurationError as error:
        sys.stderr.write(f"inboxgraph: {error}\n")
        return 2
    configure_logging(settings.secrets())
    if args.command == "sandbox":
        from inboxgraph.sandbox.server import create_sandbox_app

        uvicorn.run(create_sandbox_app(), host=args.host, port=args.port, log_config=None)
        return 0

    from inboxgraph.app import create_app

    uvicorn.run(create_app(settings), host=args.host, port=args.port, log_config=None)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
