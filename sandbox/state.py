"""The sandbox as one object: world, queues, logs, limits and the bot's own settings."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from sandbox.calls_log import CallsLog
from sandbox.config import SandboxConfig
from sandbox.events import EventLog
from sandbox.faults import FaultConfig, FaultInjector
from sandbox.file_store import FileStore
from sandbox.limits import FloodLimiter
from sandbox.update_queue import UpdateQueue
from sandbox.world import World


@dataclass
class WebhookSettings:
    url: str = ""
    secret_token: str | None = None
    max_connections: int = 40
    ip_address: str | None = None
    has_custom_certificate: bool = False
    last_error_date: int | None = None
    last_error_message: str | None = None


@dataclass
class BotSettings:
    """What the bot configured about itself; survives reset() like the token does."""

    commands: dict[tuple[str, str], list[dict[str, Any]]] = field(default_factory=dict)
    profile: dict[tuple[str, str], str] = field(default_factory=dict)


class Sandbox:
    def __init__(self, config: SandboxConfig, token: str) -> None:
        self.config = config
        self.token = token
        self.bot_user: dict[str, Any] = {
            "id": config.bot_id,
            "is_bot": True,
            "first_name": config.bot_first_name,
            "username": config.bot_username,
        }
        self.limits = FloodLimiter(config.flood_limits)
        self.faults = FaultInjector(config.faults, config.seed)
        self.calls = CallsLog(config.calls_log_size)
        self.webhook = WebhookSettings()
        self.bot_settings = BotSettings()
        self.poll_generation = 0
        self.closing = False
        self._build()

    def _build(self, first_update_id: int = 100_000_001, last_seq: int = 0) -> None:
        config = self.config
        self.rng = random.Random(config.seed)
        self.world = World(self.bot_user, self.rng, config.max_messages_per_chat)
        self.files = FileStore(self.rng, config.max_file_bytes)
        # Event seqs keep growing across resets too: pollers hold an "after" from before.
        self.events = EventLog(config.events_log_size, last_seq)
        # update_ids keep growing across resets: a running bot's offset must stay valid.
        self.updates = UpdateQueue(config.max_pending_updates, first_update_id)

    def reset(self) -> None:
        """Forget users, chats, messages, updates, files, events and calls; keep the bot."""
        old_events, old_updates = self.events, self.updates
        allowed = old_updates.allowed_updates
        self._build(old_updates.next_id, old_events.last_seq)
        self.updates.set_allowed(allowed)
        self.events.publish("reset", 0)
        old_events.close()
        old_updates.close()
        self.calls.clear()
        self.limits.reset()
        self.faults.reseed(self.config.seed)
        self.webhook.last_error_date = self.webhook.last_error_message = None

    def configure(
        self,
        *,
        flood_limits: bool | None = None,
        faults: FaultConfig | bool | None = False,
        seed: int | None = None,
    ) -> None:
        """faults=False leaves faults as they are; None switches them off."""
        if flood_limits is not None:
            self.config.flood_limits = flood_limits
            self.limits.enabled = flood_limits
            self.limits.reset()
        if faults is not False:
            assert faults is None or isinstance(faults, FaultConfig)
            self.config.faults = faults
            self.faults.config = faults
        if seed is not None:
            self.config.seed = seed
            self.faults.reseed(seed)

    def config_dict(self) -> dict[str, Any]:
        faults = self.config.faults
        return {
            "flood_limits": self.config.flood_limits,
            "faults": None if faults is None else faults.to_dict(),
            "seed": self.config.seed,
            "calls_log_size": self.config.calls_log_size,
        }

    def close(self) -> None:
        self.closing = True
        self.events.close()
        self.updates.close()
