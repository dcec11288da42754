"""Run the Node federation scripts, the two subgraphs and each gateway on 127.0.0.1."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import httpx
import pytest

from tests import npm_packages
from tests.ports import free_port, sandbox_environment

FEDERATION_DIR = Path(__file__).resolve().parent
REPO_ROOT = FEDERATION_DIR.parents[1]
SCHEMA_PATH = REPO_ROOT / "graphql" / "schema.graphql"
CRM_SDL_PATH = FEDERATION_DIR / "crm.graphql"

#: The compositions compose.mjs runs: Apollo's (@apollo/composition) and The Guild's
#: (@theguild/federation-composition, what Hive uses).
Composer = Literal["apollo", "guild"]
COMPOSERS: tuple[Composer, ...] = ("apollo", "guild")
#: The gateways the supergraph tests run behind: Apollo Gateway, Hive Gateway and a
#: schema-stitching gateway (@graphql-tools/stitch).
Gateway = Literal["apollo", "hive", "stitching"]
GATEWAYS: tuple[Gateway, ...] = ("apollo", "hive", "stitching")

HOST = "127.0.0.1"
STARTUP_TIMEOUT_SECONDS = 30.0
STOP_TIMEOUT_SECONDS = 10.0
NODE_SCRIPT_TIMEOUT_SECONDS = 60.0


def require_tool(name: str) -> str:
    """The path of `name`, failing (never skipping) the test when it is not installed."""
    return npm_packages.require_tool(name, "the federation tests")


def installed_matches_lockfile() -> bool:
    """Whether node_modules holds exactly what package-lock.json pins (npm records what it
    installed in node_modules/.package-lock.json)."""
    installed = FEDERATION_DIR / "node_modules" / ".package-lock.json"
    if not installed.is_file():
        return False
    wanted = json.loads((FEDERATION_DIR / "package-lock.json").read_text())["packages"]
    have = json.loads(installed.read_text())["packages"]
    return all(
        have.get(path, {}).get("version") == entry.get("version")
        for path, entry in wanted.items()
        if path and not entry.get("optional")
    )


def ensure_node_modules() -> None:
    """Run `npm ci` unless node_modules already matches the lockfile (CI installs it first)."""
    require_tool("node")
    if not installed_matches_lockfile():
        npm_packages.npm_ci(FEDERATION_DIR, "the federation tests")


def compose(
    out: Path,
    *,
    composer: Composer = "apollo",
    inboxgraph_url: str = f"http://{HOST}:8000/graphql",
    crm_url: str = f"http://{HOST}:4002/",
    inboxgraph_sdl: Path = SCHEMA_PATH,
    crm_sdl: Path = CRM_SDL_PATH,
) -> subprocess.CompletedProcess[str]:
    """Run compose.mjs with Apollo's or The Guild's composition; the supergraph SDL lands
    in `out` when composition succeeds."""
    return subprocess.run(
        [
            require_tool("node"),
            str(FEDERATION_DIR / "compose.mjs"),
            f"--composer={composer}",
            f"--inboxgraph-url={inboxgraph_url}",
            f"--crm-url={crm_url}",
            f"--inboxgraph-sdl={inboxgraph_sdl}",
            f"--crm-sdl={crm_sdl}",
            f"--out={out}",
        ],
        cwd=FEDERATION_DIR,
        capture_output=True,
        text=True,
        timeout=NODE_SCRIPT_TIMEOUT_SECONDS,
        check=False,
    )


@dataclass
class Service:
    name: str
    process: subprocess.Popen[bytes]
    log: Path

    def log_tail(self, lines: int = 40) -> str:
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
        try:
            self.process.wait(timeout=STOP_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@dataclass
class Services:
    """Processes started for the session, each logging to its own file; `stop()` ends them all."""

    log_dir: Path
    running: list[Service] = field(default_factory=list)

    def start(self, name: str, argv: list[str], env: dict[str, str] | None = None) -> Service:
        log = self.log_dir / f"{name}.log"
        with log.open("wb") as sink:
            process = subprocess.Popen(
                argv,
                cwd=FEDERATION_DIR,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=sink,
                stderr=subprocess.STDOUT,
            )
        service = Service(name, process, log)
        self.running.append(service)
        return service

    def wait_ready(self, service: Service, probe: httpx.Request) -> None:
        """Send `probe` until it answers 200, failing with the service's log when it cannot."""
        deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
        with httpx.Client(timeout=2.0) as client:
            while time.monotonic() < deadline:
                if service.process.poll() is not None:
                    pytest.fail(
                        f"{service.name} exited with {service.process.returncode}:\n"
                        f"{service.log_tail()}"
                    )
                try:
                    if client.send(probe).status_code == 200:
                        return
                except httpx.TransportError:
                    pass
                time.sleep(0.1)
        pytest.fail(
            f"{service.name} not ready after {STARTUP_TIMEOUT_SECONDS}s:\n{service.log_tail()}"
        )

    def stop(self) -> None:
        for service in reversed(self.running):
            if service.process.poll() is None:
                service.process.terminate()
        for service in reversed(self.running):
            service.stop()
        self.running.clear()


def graphql_probe(url: str) -> httpx.Request:
    return httpx.Request("POST", url, json={"query": "{ __typename }"})


@dataclass(frozen=True)
class Subgraphs:
    """The running subgraphs: inboxgraph (every provider in sandbox mode) and the CRM."""

    inboxgraph_url: str
    crm_url: str


def start_subgraphs(services: Services) -> Subgraphs:
    """Start inboxgraph and the CRM on free ports and wait until both answer."""
    inboxgraph_port, crm_port = free_port(), free_port()
    subgraphs = Subgraphs(
        inboxgraph_url=f"http://{HOST}:{inboxgraph_port}/graphql",
        crm_url=f"http://{HOST}:{crm_port}/",
    )
    serve = ["serve", "--host", HOST, "--port", str(inboxgraph_port)]
    inboxgraph = services.start(
        "inboxgraph", [sys.executable, "-m", "inboxgraph.cli", *serve], env=sandbox_environment()
    )
    crm = services.start("crm", [require_tool("node"), "crm.mjs", f"--port={crm_port}"])
    services.wait_ready(
        inboxgraph, httpx.Request("GET", f"http://{HOST}:{inboxgraph_port}/healthz")
    )
    services.wait_ready(crm, graphql_probe(subgraphs.crm_url))
    return subgraphs


def gateway_argv(gateway: Gateway, subgraphs: Subgraphs, log_dir: Path, port: int) -> list[str]:
    """The command line of one gateway over the running subgraphs. Apollo Gateway serves
    Apollo's composition, Hive Gateway The Guild's; the stitching gateway composes nothing
    and reads both subgraphs at startup."""
    node = require_tool("node")
    if gateway == "stitching":
        return [
            node,
            "stitch-gateway.mjs",
            f"--subgraph=inboxgraph={subgraphs.inboxgraph_url}",
            f"--subgraph=crm={subgraphs.crm_url}",
            f"--port={port}",
        ]
    composer: Composer = "apollo" if gateway == "apollo" else "guild"
    supergraph = log_dir / f"supergraph-{composer}.graphql"
    composed = compose(
        supergraph,
        composer=composer,
        inboxgraph_url=subgraphs.inboxgraph_url,
        crm_url=subgraphs.crm_url,
    )
    if composed.returncode != 0:
        pytest.fail(f"{composer} composition failed:\n{composed.stderr}")
    script = "gateway.mjs" if gateway == "apollo" else "hive-gateway.mjs"
    return [node, script, f"--supergraph={supergraph}", f"--port={port}"]


def start_gateway(services: Services, gateway: Gateway, subgraphs: Subgraphs) -> str:
    """Start `gateway` over the running subgraphs on a free port; its URL once it answers."""
    port = free_port()
    url = f"http://{HOST}:{port}/"
    process = services.start(
        f"{gateway}-gateway", gateway_argv(gateway, subgraphs, services.log_dir, port)
    )
    services.wait_ready(process, graphql_probe(url))
    return url


@dataclass
class GraphQLClient:
    """POSTs GraphQL requests to one endpoint."""

    url: str
    http: httpx.Client

    def execute(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        response = self.http.post(
            self.url, json={"query": query, "variables": variables or {}}, headers=headers
        )
        assert response.headers["content-type"].startswith("application/json"), response.text
        body: dict[str, Any] = response.json()
        return body


@dataclass
class GatewayClient(GraphQLClient):
    """A client of one running gateway, knowing which one it is."""

    gateway: Gateway
