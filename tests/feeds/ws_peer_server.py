# SPDX-License-Identifier: MIT
# An independent wss:// peer for test_ws_tls_peer, built on python3-websockets.
# Usage: /usr/bin/python3 ws_peer_server.py CERT KEY; prints "PORT <n>" once listening.
# Text frames starting with "cmd:" are commands; every other frame is echoed back.
import asyncio
import ssl
import sys

import websockets


def pattern(i, size):
    return chr(ord("a") + i % 26) * size


async def handler(ws, path=None):
    async for msg in ws:
        if not (isinstance(msg, str) and msg.startswith("cmd:")):
            await ws.send(msg)  # echo: proves the client masked correctly
            continue
        args = msg[4:].split()
        cmd = args[0]
        if cmd == "frag":
            # One text message sent as N continuation fragments of SIZE bytes.
            n, size = int(args[1]), int(args[2])
            await ws.send(pattern(i, size) for i in range(n))
        elif cmd == "big":
            # One binary message spanning many TLS records.
            size = int(args[1])
            await ws.send(bytes((i * 31 + 7) & 0xFF for i in range(size)))
        elif cmd == "blast":
            n, size = int(args[1]), int(args[2])
            body = "x" * size
            for _ in range(n):
                await ws.send(body)
            await ws.send("blast-done")
        elif cmd == "ping":
            # ping() resolves only when a pong with this exact payload comes back.
            waiter = await ws.ping(args[1].encode())
            try:
                await asyncio.wait_for(waiter, 5)
                await ws.send("pong-ok:" + args[1])
            except asyncio.TimeoutError:
                await ws.send("pong-timeout")
        elif cmd == "close":
            await ws.close(int(args[1]), args[2] if len(args) > 2 else "")
            return


async def main():
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(sys.argv[1], sys.argv[2])
    async with websockets.serve(handler, "127.0.0.1", 0, ssl=ctx, max_size=1 << 22) as server:
        port = next(iter(server.sockets)).getsockname()[1]
        print(f"PORT {port}", flush=True)
        await asyncio.Future()


asyncio.run(main())
