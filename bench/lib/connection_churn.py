"""Opens many connections to the service at once, sends GET /health on each, and closes them when answered;
ROUNDS times. Prints one JSON line: per round, how long until the last connection's answer, in ms.

A server that has run for a while has accepted thousands of connections; a benchmark's wrk runs open a few
hundred. Without these rounds, the service's connection setup (Pekko HTTP materializes one stream per
connection, one connection after another) is still interpreted code when a measured run opens its
connections at once, and the first request of the last connection waits for all the others.

Usage: connection_churn.py port connections rounds
"""
import json
import selectors
import socket
import sys
import time

REQUEST = b"GET /health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"


def one_round(port, connections):
    """Milliseconds from opening the connections until the last of them is answered."""
    selector = selectors.DefaultSelector()
    started = time.perf_counter()
    for _ in range(connections):
        connection = socket.socket()
        connection.setblocking(False)
        connection.connect_ex(("127.0.0.1", port))
        selector.register(connection, selectors.EVENT_WRITE)
    waiting = connections
    while waiting:
        ready = selector.select(timeout=10)
        if not ready:
            raise SystemExit("no answer within 10 s from %d connections" % waiting)
        for key, events in ready:
            connection = key.fileobj
            if events & selectors.EVENT_WRITE:
                connection.sendall(REQUEST)
                selector.modify(connection, selectors.EVENT_READ)
                continue
            answer = connection.recv(4096)
            if not answer.startswith(b"HTTP/1.1 200"):
                raise SystemExit("unexpected answer: %r" % answer[:80])
            selector.unregister(connection)
            connection.close()
            waiting -= 1
    return round((time.perf_counter() - started) * 1000, 1)


def main():
    port, connections, rounds = (int(arg) for arg in sys.argv[1:4])
    print(json.dumps({"connections": connections, "roundMs": [one_round(port, connections) for _ in range(rounds)]}))


if __name__ == "__main__":
    main()
