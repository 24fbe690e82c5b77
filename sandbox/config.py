"""Start-up settings of a sandbox server."""

from __future__ import annotations

from dataclasses import dataclass

from sandbox.faults import FaultConfig


@dataclass
class SandboxConfig:
    flood_limits: bool = False
    faults: FaultConfig | None = None
    seed: int = 0
    calls_log_size: int = 50_000
    bot_username: str = "community_hotline_bot"
    bot_first_name: str = "Community Hotline"
    bot_id: int = 7_000_000_001
    # Bounds that keep a long run's memory flat.
    events_log_size: int = 100_000
    max_pending_updates: int = 100_000
    max_messages_per_chat: int = 50_000
    max_file_bytes: int = 512 * 1024 * 1024
    # Webhook delivery: retry a failed POST after initial, doubling up to max seconds.
    webhook_retry_initial: float = 0.5
    webhook_retry_max: float = 30.0
    webhook_timeout: float = 10.0
    # Telegram refuses answers to callback queries older than about 15 minutes.
    callback_query_ttl: float = 900.0
