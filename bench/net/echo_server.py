"""The TCP echo server on asyncio streams, optionally on uvloop.

    /usr/bin/python3 echo_server.py [--uvloop] <port>

The streams variant of uvloop's own echo benchmark server: read up to 64 KiB,
write it back, drain. Binds 127.0.0.1; prints READY once listening.
"""
import asyncio
import socket
import sys


async def echo(reader, writer):
    sock = writer.get_extra_info("socket")
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    while True:
        data = await reader.read(65536)
        if not data:
            break
        writer.write(data)
        await writer.drain()
    writer.close()


async def main(port):
    server = await asyncio.start_server(echo, "127.0.0.1", port)
    print("READY", flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    args = sys.argv[1:]
    if args and args[0] == "--uvloop":
        import uvloop
        uvloop.install()
        args = args[1:]
    asyncio.run(main(int(args[0])))
