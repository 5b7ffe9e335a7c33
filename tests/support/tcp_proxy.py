"""A TCP proxy on loopback in front of a real server, for tests of a peer that misbehaves: started
late (a database that comes up after the bridge), stopped (one that goes away), or told to hang.
Hanging, it accepts connections and reads what clients send but never forwards a byte nor
answers; the connections it held stay dead for good (their bytes are gone), as behind a broken
middlebox. After `resume`, new connections are forwarded again."""

from __future__ import annotations

import contextlib
import socket
import threading


class TcpProxy:
    def __init__(self, target: tuple[str, int], port: int = 0):
        self.target = target
        self.hanging = threading.Event()
        self._listener = socket.create_server(("127.0.0.1", port))
        self.port = self._listener.getsockname()[1]
        self._lock = threading.Lock()
        self._pairs: list[_Pair] = []
        self._closed = False

    def start(self) -> TcpProxy:
        threading.Thread(target=self._accept, name="tcp-proxy", daemon=True).start()
        return self

    def hang(self) -> None:
        with self._lock:
            self.hanging.set()
            for pair in self._pairs:
                pair.dead = True

    def resume(self) -> None:
        self.hanging.clear()

    def stop(self) -> None:
        self._closed = True
        self._listener.close()
        with self._lock:
            for pair in self._pairs:
                pair.close()

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            try:
                upstream = None if self.hanging.is_set() else socket.create_connection(self.target, timeout=5)
            except OSError:  # the server is not up: the client sees its connection closed
                client.close()
                continue
            if upstream is not None:
                upstream.settimeout(None)
            with self._lock:
                pair = _Pair(client, upstream)
                self._pairs.append(pair)
            pair.start()


class _Pair:
    def __init__(self, client: socket.socket, upstream: socket.socket | None):
        self.client, self.upstream = client, upstream
        self.dead = upstream is None

    def start(self) -> None:
        threading.Thread(target=self._pipe, args=(self.client, self.upstream), daemon=True).start()
        if self.upstream is not None:
            threading.Thread(target=self._pipe, args=(self.upstream, self.client), daemon=True).start()

    def _pipe(self, source: socket.socket, destination: socket.socket | None) -> None:
        try:
            while data := source.recv(65536):
                if not self.dead and destination is not None:
                    destination.sendall(data)
        except OSError:
            pass
        self.close()

    def close(self) -> None:
        for sock in (self.client, self.upstream):
            if sock is not None:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                sock.close()
