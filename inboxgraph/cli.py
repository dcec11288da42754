"""The `inboxgraph` command: serve, print the schema, or serve the sandbox emulators."""

from __future__ import annotations

import argparse
import logging
import math
import signal
import sys
from collections.abc import Sequence
from importlib.metadata import version
from types import FrameType
from typing import NoReturn

from inboxgraph.config import ConfigurationError, Settings, load_settings
from inboxgraph.observability.logs import JsonFormatter, TraceIds
from inboxgraph.observability.multiprocess import multiprocess_directory
from inboxgraph.observability.tracing import EXTRA_MISSING, current_trace_ids, tracing_available
from inboxgraph.request_scope import RequestIdLogFilter
from inboxgraph.secrets import RedactingFilter, Redactor

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
DEFAULT_SANDBOX_PORT = 8001
#: After the request deadline, how much longer shutdown waits for requests in flight.
SHUTDOWN_MARGIN_SECONDS = 5.0


class _Parser(argparse.ArgumentParser):
    """An argument parser whose refusals are one line, pointing at --help."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: {message} (see {self.prog} --help)\n")


def _port(value: str) -> int:
    if not value.isdigit() or not 1 <= int(value) <= 65535:
        raise argparse.ArgumentTypeError(f"{value!r} is not a TCP port (1-65535)")
    return int(value)


def _listening(parser: argparse.ArgumentParser, what: str, port: int) -> None:
    parser.add_argument(
        "--host", default=DEFAULT_HOST, help=f"interface to serve {what} on (0.0.0.0 for all)"
    )
    parser.add_argument("--port", type=_port, default=port, help="TCP port to listen on")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="inboxgraph",
        description="One typed GraphQL API to change conversations in five inbox providers.",
        epilog="Configuration is read from INBOXGRAPH_* environment variables (see README.md).",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {version('inboxgraph')}")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    defaults = argparse.ArgumentDefaultsHelpFormatter
    serve = commands.add_parser(
        "serve",
        formatter_class=defaults,
        help="serve the GraphQL API (providers without credentials run in the sandbox)",
        description="Serve the GraphQL API at /graphql (GraphiQL in a browser) and /healthz.",
    )
    _listening(serve, "the API", DEFAULT_PORT)
    commands.add_parser(
        "schema",
        help="print the subgraph SDL",
        description="Print the subgraph SDL (what graphql/schema.graphql holds).",
    )
    sandbox = commands.add_parser(
        "sandbox",
        formatter_class=defaults,
        help="serve the provider emulators over real HTTP",
        description="Serve every provider's emulator, each under /<provider>; GET / lists them.",
    )
    _listening(sandbox, "the emulators", DEFAULT_SANDBOX_PORT)
    return parser


def configure_logging(
    secrets: Sequence[str], level: str = "INFO", trace_ids: TraceIds | None = None
) -> None:
    """Log JSON lines to stderr (unless the root logger already has handlers), and put
    every root handler behind filters that tag the request id and mask every configured
    credential."""
    redactor = Redactor(secrets)
    json_lines = logging.StreamHandler()
    json_lines.setFormatter(JsonFormatter(redactor, trace_ids))
    logging.basicConfig(handlers=[json_lines])
    root = logging.getLogger()
    root.setLevel(level)
    redacting = RedactingFilter(redactor)
    for handler in root.handlers:
        handler.addFilter(RequestIdLogFilter())
        handler.addFilter(redacting)
    # inboxgraph logs every upstream call itself (provider, method, path, status; DEBUG).
    logging.getLogger("httpx").setLevel(logging.WARNING)


def _serve(settings: Settings, host: str, port: int) -> int:
    """Serve until SIGTERM or Ctrl-C; requests in flight are answered before exiting."""
    import uvicorn

    # uvicorn handles SIGTERM while it serves, then raises it again once its graceful
    # shutdown is done; this handler makes that (or a SIGTERM before uvicorn runs) a
    # clean exit with status 0.
    signal.signal(signal.SIGTERM, _stopped)
    # Before the app (and so prometheus-client) is imported: it picks its mode then.
    with multiprocess_directory(settings.workers):
        from inboxgraph.app import create_app

        uvicorn.run(
            create_app(settings),
            host=host,
            port=port,
            log_config=None,
            # inboxgraph writes its own line per request.
            access_log=False,
            timeout_graceful_shutdown=math.ceil(
                settings.limits.request_timeout_seconds + SHUTDOWN_MARGIN_SECONDS
            ),
        )
    return 0


def _stopped(signum: int, frame: FrameType | None) -> NoReturn:
    raise SystemExit(0)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "schema":
        from inboxgraph.api.schema import schema

        sys.stdout.write(schema.as_str() + "\n")
        return 0

    try:
        settings = load_settings()
    except ConfigurationError as error:
        sys.stderr.write(f"inboxgraph: {error}\n")
        return 2
    if settings.tracing and not tracing_available():
        sys.stderr.write(f"inboxgraph: {EXTRA_MISSING}\n")
        return 2
    configure_logging(
        settings.secrets(), settings.log_level, current_trace_ids if settings.tracing else None
    )
    if args.command == "sandbox":
        import uvicorn

        from inboxgraph.sandbox.server import create_sandbox_app

        uvicorn.run(create_sandbox_app(), host=args.host, port=args.port, log_config=None)
        return 0
    return _serve(settings, args.host, args.port)


if __name__ == "__main__":
    raise SystemExit(main())
