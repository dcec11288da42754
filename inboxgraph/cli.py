"""The `inboxgraph` command: serve, run bulk jobs, print the schema, or serve the sandbox
emulators."""

from __future__ import annotations

import argparse
import asyncio
import gc
import importlib.util
import logging
import math
import os
import signal
import sys
from collections.abc import Sequence
from importlib.metadata import version
from types import FrameType
from typing import TYPE_CHECKING, Any, NoReturn

from inboxgraph.config import ConfigurationError, Settings, load_settings
from inboxgraph.listeners import SPREADS_CONNECTIONS, listener_per_worker
from inboxgraph.observability.logs import JsonFormatter, TraceIds
from inboxgraph.observability.multiprocess import multiprocess_directory
from inboxgraph.observability.tracing import EXTRA_MISSING, current_trace_ids, tracing_available
from inboxgraph.request_scope import RequestIdLogFilter
from inboxgraph.secrets import RedactingFilter, Redactor, Secret

if TYPE_CHECKING:
    from starlette.applications import Starlette
    from uvicorn import Config

logger = logging.getLogger("inboxgraph")

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
DEFAULT_SANDBOX_PORT = 8001
DEFAULT_WORKER_JOBS = 10
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
    worker = commands.add_parser(
        "worker",
        formatter_class=defaults,
        help="run the bulk jobs queued in Redis (needs INBOXGRAPH_REDIS_URL)",
        description=(
            "Run the bulk jobs API processes queue in Redis (INBOXGRAPH_REDIS_URL), with the "
            "same provider configuration as `serve`. Start as many as you like, anywhere."
        ),
    )
    worker.add_argument(
        "--max-jobs",
        type=_count,
        default=DEFAULT_WORKER_JOBS,
        help="parts of bulk jobs this worker runs at once (a job has a part per 100 items "
        "or so; a worker takes up to this many from the queue, however many workers there are)",
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


def configure_logging(
    secrets: Sequence[str], level: str = "INFO", trace_ids: TraceIds | None = None
) -> None:
    """Log JSON lines to stderr (unless the root logger already has handlers), and put
    every root handler behind filters that tag the request id and mask every configured
    credential (the JSON lines mask every text themselves)."""
    redactor = Redactor(secrets)
    json_lines = logging.StreamHandler()
    json_lines.setFormatter(JsonFormatter(redactor, trace_ids))
    logging.basicConfig(handlers=[json_lines])
    root = logging.getLogger()
    root.setLevel(level)
    redacting = RedactingFilter(redactor)
    for handler in root.handlers:
        handler.addFilter(RequestIdLogFilter())
        if not isinstance(handler.formatter, JsonFormatter):
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
    loop, http = server_implementations()
    options: dict[str, Any] = {
        "host": host,
        "port": port,
        "loop": loop,
        "http": http,
        "log_config": None,
        # inboxgraph writes its own line per request.
        "access_log": False,
        # A websocket message is bounded like a request body.
        "ws_max_size": settings.limits.max_body_bytes,
        "timeout_graceful_shutdown": math.ceil(
            settings.limits.request_timeout_seconds + SHUTDOWN_MARGIN_SECONDS
        ),
    }
    # Before the app (and so prometheus-client) is imported: it picks its mode then.
    with multiprocess_directory(settings.workers):
        if settings.workers == 1:
            from inboxgraph.app import create_app

            tune_gc(settings)
            uvicorn.run(create_app(settings), **options)
        else:
            # Each worker process builds its own app (and logging) with `worker_app`.
            config = uvicorn.Config(
                f"{__name__}:worker_app", factory=True, workers=settings.workers, **options
            )
            return _serve_workers(config)
    return 0


def _serve_workers(config: Config) -> int:
    """Run `config.workers` processes serving the app, each on a listening socket of its
    own where the kernel spreads connections across them (see `inboxgraph.listeners`),
    else on uvicorn's one shared socket."""
    from uvicorn.supervisors import Multiprocess

    if not SPREADS_CONNECTIONS:
        Multiprocess(config, sockets=[config.bind_socket()]).run()
        return 0
    try:
        listener = listener_per_worker(config.host, config.port)
    except OSError as error:
        return _refuse(f"cannot listen on {config.host}:{config.port}: {error.strerror}")
    with listener:
        host, port = listener.getsockname()[:2]
        logger.info(
            "serving on http://%s:%d with %d workers, each accepting on a socket of its own",
            host,
            port,
            config.workers,
        )
        Multiprocess(config, sockets=[listener]).run()
    return 0


def server_implementations() -> tuple[str, str]:
    """uvicorn's event loop and HTTP parser for `serve`: uvloop and httptools (inboxgraph
    depends on both) wherever they are installed, else asyncio's own loop and h11."""
    loop = "uvloop" if importlib.util.find_spec("uvloop") is not None else "asyncio"
    http = "httptools" if importlib.util.find_spec("httptools") is not None else "h11"
    return loop, http


def _stopped(signum: int, frame: FrameType | None) -> NoReturn:
    raise SystemExit(0)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "schema":
        from inboxgraph.api.schema import schema

        sys.stdout.write(schema.as_str() + "\n")
        return 0

    if "workers" in args:
        # Every worker reads its settings from this environment, and so its share.
        os.environ["INBOXGRAPH_WORKERS"] = str(args.workers)
    try:
        settings = load_settings()
    except ConfigurationError as error:
        return _refuse(str(error))
    if settings.tracing and not tracing_available():
        return _refuse(EXTRA_MISSING)
    _configure_logging_for(settings)
    if args.command == "worker":
        if settings.redis_url is None:
            return _refuse(
                "the worker runs jobs queued in Redis: set INBOXGRAPH_REDIS_URL "
                "(without it, `serve` runs jobs itself)"
            )
        from inboxgraph.jobs.worker import job_worker

        tune_gc(settings)
        job_worker(settings, max_jobs=args.max_jobs).run()
        return 0
    if args.command == "sandbox":
        import uvicorn

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
    _log_shared_state(settings)
    return _serve(settings, args.host, args.port)


def worker_app() -> Starlette:
    """The app as every `inboxgraph serve --workers N` worker builds it: configuration
    checked and logging set up (credentials masked) exactly as in a single process."""
    try:
        settings = load_settings()
    except ConfigurationError as error:
        raise SystemExit(_refuse(str(error))) from None
    _configure_logging_for(settings)
    tune_gc(settings)
    from inboxgraph.app import create_app

    return create_app(settings)


def tune_gc(settings: Settings) -> None:
    """Set the garbage collector's young-generation threshold for a process of `serve` or
    `worker` (the older generations' thresholds are left as they are)."""
    _, older, oldest = gc.get_threshold()
    gc.set_threshold(settings.gc_threshold, older, oldest)


def _configure_logging_for(settings: Settings) -> None:
    configure_logging(
        settings.secrets(), settings.log_level, current_trace_ids if settings.tracing else None
    )


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
