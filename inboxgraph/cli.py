"""The `inboxgraph` command: serve, print the schema, or serve the sandbox emulators."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from collections.abc import Sequence
from importlib.metadata import version
from typing import TYPE_CHECKING, NoReturn

from inboxgraph.config import ConfigurationError, Settings, load_settings
from inboxgraph.request_scope import RequestIdLogFilter
from inboxgraph.secrets import RedactingFilter, Redactor, Secret

if TYPE_CHECKING:
    from starlette.applications import Starlette

logger = logging.getLogger("inboxgraph")

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
DEFAULT_SANDBOX_PORT = 8001


class _Parser(argparse.ArgumentParser):
    """An argument parser whose refusals are one line, pointing at --help."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: {message} (see {self.prog} --help)\n")


def _port(value: str) -> int:
    if not value.isdigit() or not 1 <= int(value) <= 65535:
        raise argparse.ArgumentTypeError(f"{value!r} is not a TCP port (1-65535)")
    return int(value)


def _count(value: str) -> int:
    if not value.isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError(f"{value!r} is not a positive whole number")
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
    serve.add_argument(
        "--workers",
        type=_count,
        default=argparse.SUPPRESS,
        help="worker processes serving together (default: INBOXGRAPH_WORKERS, or 1); "
        "without INBOXGRAPH_REDIS_URL they divide every provider's rate-limit budget",
    )
    commands.add_parser(
        "schema",
        help="print the subgraph SDL",
        description="Print the subgraph SDL (what graphql/schema.graphql holds).",
    )
    sandbox = commands.add_parser(
        "sandbox",
        formatter_class=defaults,
        help="serve the provider emulators over real HTTP",
        description=(
            "Serve every provider's emulator, each under /<provider>; GET / lists them. "
            "INBOXGRAPH_SANDBOX_FAULTS_<PROVIDER> injects faults (see README.md)."
        ),
    )
    _listening(sandbox, "the emulators", DEFAULT_SANDBOX_PORT)
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
        from inboxgraph.api.schema import schema

        sys.stdout.write(schema.as_str() + "\n")
        return 0

    import uvicorn

    if "workers" in args:
        # Every worker reads its settings from this environment, and so its share.
        os.environ["INBOXGRAPH_WORKERS"] = str(args.workers)
    try:
        settings = load_settings()
    except ConfigurationError as error:
        return _refuse(str(error))
    if args.command == "sandbox":
        configure_logging(settings.secrets())
        from inboxgraph.sandbox.server import DroppedConnectionLogFilter, create_sandbox_app

        logging.getLogger("uvicorn.error").addFilter(DroppedConnectionLogFilter())
        app = create_sandbox_app(settings.sandbox_faults, seed=settings.sandbox_faults_seed)
        uvicorn.run(app, host=args.host, port=args.port, log_config=None)
        return 0

    from inboxgraph.shared.redis import SharedStateUnavailable
    from inboxgraph.upstreams import budget_sharing_problem

    problem = budget_sharing_problem(settings)
    if problem is not None:
        return _refuse(problem)
    if settings.redis_url is not None:
        try:
            asyncio.run(_check_redis(settings.redis_url))
        except SharedStateUnavailable as error:
            return _refuse(str(error))
    configure_logging(settings.secrets())
    _log_shared_state(settings)
    if settings.workers == 1:
        from inboxgraph.app import create_app

        uvicorn.run(create_app(settings), host=args.host, port=args.port, log_config=None)
    else:
        uvicorn.run(
            f"{__name__}:worker_app",
            factory=True,
            workers=settings.workers,
            host=args.host,
            port=args.port,
            log_config=None,
        )
    return 0


def worker_app() -> Starlette:
    """The app as every `inboxgraph serve --workers N` worker builds it: configuration
    checked and logging set up (credentials masked) exactly as in a single process."""
    try:
        settings = load_settings()
    except ConfigurationError as error:
        raise SystemExit(_refuse(str(error))) from None
    configure_logging(settings.secrets())
    from inboxgraph.app import create_app

    return create_app(settings)


def _refuse(reason: str) -> int:
    sys.stderr.write(f"inboxgraph: {reason}\n")
    return 2


async def _check_redis(url: Secret) -> None:
    from inboxgraph.shared.redis import check_reachable, redis_client

    client = redis_client(url)
    try:
        await check_reachable(client)
    finally:
        await client.aclose()


def _log_shared_state(settings: Settings) -> None:
    from inboxgraph.upstreams import divided_budgets

    if settings.redis_url is not None:
        logger.info("rate-limit budgets and provider waits are shared through Redis")
    elif settings.workers > 1:
        logger.info(
            "%d workers without INBOXGRAPH_REDIS_URL divide every rate-limit budget: "
            "each sends at most %s",
            settings.workers,
            ", ".join(divided_budgets(settings)),
        )


if __name__ == "__main__":
    raise SystemExit(main())
