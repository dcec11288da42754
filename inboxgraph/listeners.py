"""Listening sockets of `inboxgraph serve --workers N`: on Linux, one per worker.

uvicorn binds one socket and every worker accepts from it. Idle workers then race for
each new connection, and a burst of connections (a router opening its pool) mostly lands
on whichever worker wakes first: with keep-alive, that worker serves most requests from
then on while the others idle. Here each worker listens on a socket of its own, all
bound to the same address with SO_REUSEPORT, and the kernel spreads new connections
across them by a hash of their addresses.

The supervisor process holds a socket bound to the address (never listening, so it
receives no connection) that keeps the port and tells a bind error at start; pickled
into a worker, as uvicorn passes sockets to the processes it starts, it becomes that
worker's own listening socket.
"""

from __future__ import annotations

import socket
import sys
from typing import Any

#: Whether the kernel spreads connections across sockets sharing a port (Linux does).
SPREADS_CONNECTIONS = sys.platform == "linux" and hasattr(socket, "SO_REUSEPORT")


class ListenerPerWorker(socket.socket):
    """A bound SO_REUSEPORT socket that every process it is pickled into gets a fresh
    copy of: bound to the same address, with SO_REUSEPORT, its own."""

    def __reduce_ex__(self, protocol: object) -> tuple[Any, ...]:
        return reuse_port_socket, (self.family, self.getsockname()[:2])


def reuse_port_socket(
    family: socket.AddressFamily,
    address: tuple[str, int],
    kind: type[socket.socket] = socket.socket,
) -> socket.socket:
    """A TCP socket bound to `address` with SO_REUSEADDR and SO_REUSEPORT, not listening."""
    sock = kind(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind(address)
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock


def listener_per_worker(host: str, port: int) -> ListenerPerWorker:
    """The supervisor's socket for `host:port` (port 0: a free port, the same for every
    worker), raising OSError when the address cannot be bound."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = reuse_port_socket(family, (host, port), ListenerPerWorker)
    assert isinstance(sock, ListenerPerWorker)
    return sock
