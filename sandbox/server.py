"""SandboxServer: the aiohttp application serving the Bot API, file downloads and the control
API on 127.0.0.1."""

from __future__ import annotations

import secrets
import string
from pathlib import Path

from aiohttp import web

from sandbox.bot_api import handle_bot_call
from sandbox.config import SandboxConfig
from sandbox.control import add_control_routes
from sandbox.faults import FaultConfig
from sandbox.file_routes import SANDBOX_KEY, bot_file_download, sandbox_file
from sandbox.persistence import WorldFile, WorldKeeper
from sandbox.state import Sandbox
from sandbox.web import setup_chat_page
from sandbox.webhook_push import WebhookPusher

__all__ = ["FaultConfig", "SandboxConfig", "SandboxServer", "build_app", "generate_token"]

MAX_UPLOAD_BYTES = 60 * 1024 * 1024  # Telegram accepts uploads up to 50 MB
_TOKEN_ALPHABET = string.ascii_letters + string.digits + "_-"


def generate_token(bot_id: int) -> str:
    return f"{bot_id}:" + "".join(secrets.choice(_TOKEN_ALPHABET) for _ in range(35))


def build_app(sandbox: Sandbox) -> web.Application:
    """Every route of the sandbox. The chat page (sandbox.web) registers its own routes here."""
    app = web.Application(client_max_size=MAX_UPLOAD_BYTES)
    app[SANDBOX_KEY] = sandbox
    app.router.add_route("*", "/bot{token}/{method}", handle_bot_call)
    app.router.add_get("/file/bot{token}/{path:.+}", bot_file_download)
    app.router.add_get("/sandbox/files/{file_id}", sandbox_file)
    add_control_routes(app)
    setup_chat_page(app)
    return app


class SandboxServer:
    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        config: SandboxConfig | None = None,
        token: str | None = None,
        world_file: Path | None = None,
    ) -> None:
        """world_file: where the world is kept across restarts (None: in memory only)."""
        self.config = config or SandboxConfig()
        self.host = host
        self.port = port
        self.token = token or generate_token(self.config.bot_id)
        self.sandbox = Sandbox(self.config, self.token)
        self.app = build_app(self.sandbox)
        self._runner: web.AppRunner | None = None
        self._pusher = WebhookPusher(self.sandbox)
        self.world_file = WorldFile(world_file) if world_file is not None else None
        self.world_restored = False
        self._keeper: WorldKeeper | None = None

    async def start(self) -> None:
        """Raises WorldFileError (before listening) when the world file cannot be used."""
        if self.world_file is not None and self.world_file.exists():
            self.world_file.load_into(self.sandbox)
            self.world_restored = True
        # handler_cancellation: a bot that hangs up ends its long poll here too.
        runner = web.AppRunner(self.app, access_log=None, handler_cancellation=True,
                               shutdown_timeout=1.0)
        await runner.setup()
        site = web.TCPSite(runner, self.host, self.port)
        await site.start()
        self._runner = runner
        for address in runner.addresses:
            if isinstance(address, tuple):
                self.port = address[1]
                break
        await self._pusher.start()
        if self.world_file is not None:
            self._keeper = WorldKeeper(self.sandbox, self.world_file)
            self._keeper.start()

    async def stop(self) -> None:
        if self._keeper is not None:
            await self._keeper.stop()
            self._keeper = None
        self.sandbox.close()
        await self._pusher.stop()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def bot_api_base(self) -> str:
        return f"{self.base_url}/bot"

    @property
    def file_api_base(self) -> str:
        return f"{self.base_url}/file/bot"

    @property
    def chat_page_url(self) -> str:
        return f"{self.base_url}/"

    async def __aenter__(self) -> SandboxServer:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()
