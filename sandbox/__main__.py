"""Run a sandbox by hand: python -m sandbox [--port 8081] [--token T] [--flood-limits]."""

from __future__ import annotations

import argparse
import asyncio
import contextlib

from sandbox.config import SandboxConfig
from sandbox.server import SandboxServer


async def _serve(args: argparse.Namespace) -> None:
    config = SandboxConfig(flood_limits=args.flood_limits, seed=args.seed)
    server = SandboxServer(host=args.host, port=args.port, config=config, token=args.token)
    await server.start()
    print(f"Bot API base URL : {server.bot_api_base}")
    print(f"bot token        : {server.token}")
    print(f"chat page        : {server.chat_page_url}")
    try:
        await asyncio.Event().wait()
    finally:
        await server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m sandbox", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--token", default=None)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--flood-limits", action="store_true")
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(parser.parse_args()))


if __name__ == "__main__":
    main()
