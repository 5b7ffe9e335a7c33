"""A TCP proxy in front of a real server that can be told to hang: from then on it accepts
connections and reads what clients send, but never forwards a byte nor answers. The connections
it held while hanging stay dead for good (their bytes are gone), as behind a broken middlebox;
after `resume`, new connections are forwarded again."""

from __future__ import annotations

import contextlib
import socket
import threading


class HangingProxy:
    def __init__(self, target: tuple[str, int]):
        self.target = target
        self.hanging = threading.Event()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._lock = threading.Lock()
        self._pairs: list[_Pair] = []
        self._closed = False
        threading.Thread(target=self._accept, name="hanging-proxy", daemon=True).start()

    @property
    def port(self) -> int:
        return self._listener.getsockname()[1]

    def hang(self) -> None:
        with self._lock:
            self.hanging.set()
            for pair in self._pairs:
                pair.dead = True

    def resume(self) -> None:
        self.hanging.clear()

    def close(self) -> None:
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
            with self._lock:
                upstream = None if self.hanging.is_set() else socket.create_connection(self.target)
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
