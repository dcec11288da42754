"""Free loopback ports and a clean environment for the processes tests start."""

from __future__ import annotations

import os
import socket

HOST = "127.0.0.1"


def free_port() -> int:
    """A TCP port on the loopback address that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def sandbox_environment() -> dict[str, str]:
    """This process's environment without any INBOXGRAPH_* variable: no configuration,
    every provider in sandbox mode."""
    return {k: v for k, v in os.environ.items() if not k.startswith("INBOXGRAPH_")}
