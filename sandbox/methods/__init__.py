"""Bot API method handlers; importing this package registers all of them in METHODS."""

from sandbox.methods import bot, callbacks, chats, files, media, messages, relay, updates
from sandbox.methods.registry import METHODS, MethodEntry

__all__ = [
    "METHODS",
    "MethodEntry",
    "bot",
    "callbacks",
    "chats",
    "files",
    "media",
    "messages",
    "relay",
    "updates",
]
