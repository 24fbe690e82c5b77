"""The sandbox's world kept in a file, so that a restarted sandbox is the same Telegram.

Without it every start is a new Telegram: the bot's database still names chats, topics and
file_ids that no longer exist. A snapshot holds the users, chats (members, topics, messages,
pins), files, the bot's commands, the pending updates and the counters that make new ids
follow the old ones. It is one JSON file replaced atomically (written beside it, then renamed),
so a crash leaves the previous snapshot whole; file contents go to a folder beside it, one
blob per content hash, written before the snapshot that names them.

Not kept: callback queries (a button pressed after a restart is a new query, as on Telegram),
the calls log, the event log (its sequence numbers keep growing), faults and flood limits.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import os
import secrets
import tempfile
from pathlib import Path
from typing import Any

from sandbox import jsonlib
from sandbox.file_store import StoredFile
from sandbox.records import ChatRecord, StoredMessage, TopicRecord, UserRecord
from sandbox.state import Sandbox

log = logging.getLogger(__name__)

FORMAT_VERSION = 1


class WorldFileError(Exception):
    """The world file cannot be read as a sandbox world; the message says why."""


class WorldFile:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.blobs = path.with_name(path.stem + "-files")

    def exists(self) -> bool:
        return self.path.is_file()

    # ------------------------------------------------------------------ saving

    def snapshot(self, sandbox: Sandbox) -> tuple[bytes, dict[str, bytes]]:
        """The world as JSON bytes, and the file contents it names (hash -> bytes).

        Runs on the event loop, between two requests, so the picture is consistent."""
        world, files = sandbox.world, sandbox.files
        blobs: dict[str, bytes] = {}
        stored_files = []
        for stored in files._by_id.values():
            digest = hashlib.blake2b(stored.data, digest_size=20).hexdigest()
            blobs[digest] = stored.data
            stored_files.append({
                "file_id": stored.file_id, "file_unique_id": stored.file_unique_id,
                "kind": stored.kind, "blob": digest, "file_path": stored.file_path,
                "mime_type": stored.mime_type, "file_name": stored.file_name,
                "extra": stored.extra, "group": list(stored.group)})
        document = {
            "version": FORMAT_VERSION,
            "bot_id": sandbox.bot_user["id"],
            "users": [{"user": r.user, "persona": r.persona, "blocked": r.blocked}
                      for r in world.users.values()],
            "usernames": world.usernames,
            "next_user_id": world._next_user_id,
            "next_group_id": world._next_group_id,
            "chats": [_chat(chat) for chat in world.chats.values()],
            "files": stored_files,
            "file_groups": [[ids, size] for ids, size in files._groups],
            "file_counter": files._counter,
            "commands": [[scope, language, commands] for (scope, language), commands
                         in sandbox.bot_settings.commands.items()],
            "profile": [[field, language, value] for (field, language), value
                        in sandbox.bot_settings.profile.items()],
            "next_update_id": sandbox.updates.next_id,
            "pending_updates": sandbox.updates.peek(sandbox.updates.pending_count),
            "allowed_updates": sandbox.updates.allowed_updates,
            "last_seq": sandbox.events.last_seq,
        }
        return jsonlib.dumps(document), blobs

    def write(self, document: bytes, blobs: dict[str, bytes]) -> None:
        """Blobs first, then the snapshot in one rename; blobs no snapshot names go last."""
        self.blobs.mkdir(parents=True, exist_ok=True)
        for digest, data in blobs.items():
            target = self.blobs / digest
            if not target.exists():
                _atomic_write(target, data)
        _atomic_write(self.path, document)
        for old in self.blobs.iterdir():
            if old.name not in blobs and not old.name.startswith("."):
                with contextlib.suppress(OSError):
                    old.unlink()

    # ------------------------------------------------------------------ loading

    def load_into(self, sandbox: Sandbox) -> None:
        """Replaces the sandbox's (new, empty) world with the saved one."""
        try:
            document = jsonlib.loads(self.path.read_bytes())
        except (OSError, ValueError) as error:
            raise WorldFileError(f"{self.path} cannot be read ({error})") from None
        if not isinstance(document, dict) or document.get("version") != FORMAT_VERSION:
            raise WorldFileError(f"{self.path} is not a sandbox world of version "
                                 f"{FORMAT_VERSION}")
        if document.get("bot_id") != sandbox.bot_user["id"]:
            raise WorldFileError(f"{self.path} belongs to another bot "
                                 f"(id {document.get('bot_id')})")
        try:
            self._restore(sandbox, document)
        except (KeyError, TypeError, ValueError) as error:
            sandbox._build()  # nothing half-loaded stays
            raise WorldFileError(f"{self.path} is damaged ({type(error).__name__}: "
                                 f"{error})") from None

    def _restore(self, sandbox: Sandbox, document: dict[str, Any]) -> None:
        sandbox._build(document["next_update_id"], document["last_seq"])
        # The new run must not repeat the old run's random draws (chat instances, file ids).
        sandbox.rng.seed(secrets.randbits(64))
        world = sandbox.world
        for saved in document["users"]:
            record = UserRecord(user=saved["user"], persona=saved["persona"],
                                blocked=saved["blocked"])
            world.users[record.id] = record
        world.usernames.update(document["usernames"])
        world._next_user_id = document["next_user_id"]
        world._next_group_id = document["next_group_id"]
        for saved in document["chats"]:
            chat = _chat_record(saved)
            world.chats[chat.id] = chat
        self._load_files(sandbox, document)
        sandbox.bot_settings.commands = {(scope, language): commands for scope, language,
                                         commands in document["commands"]}
        sandbox.bot_settings.profile = {(field, language): value for field, language, value
                                        in document["profile"]}
        sandbox.updates.set_allowed(document["allowed_updates"])
        for update in document["pending_updates"]:
            sandbox.updates._pending.append(update)

    def _load_files(self, sandbox: Sandbox, document: dict[str, Any]) -> None:
        files = sandbox.files
        contents: dict[str, bytes] = {}
        for saved in document["files"]:
            digest = saved["blob"]
            if digest not in contents:
                try:
                    contents[digest] = (self.blobs / digest).read_bytes()
                except OSError:
                    log.warning("sandbox world: the contents of file %s are missing; "
                                "it is left out", saved["file_id"])
                    continue
            stored = StoredFile(
                file_id=saved["file_id"], file_unique_id=saved["file_unique_id"],
                kind=saved["kind"], data=contents[digest], file_path=saved["file_path"],
                mime_type=saved["mime_type"], file_name=saved["file_name"],
                extra=saved["extra"], group=tuple(saved["group"]))
            files._by_id[stored.file_id] = stored
            files._by_path[stored.file_path] = stored
        for ids, size in document["file_groups"]:
            kept = [i for i in ids if i in files._by_id]
            if kept:
                files._groups.append((kept, size))
                files._bytes += size
        files._counter = document["file_counter"]


def _chat(chat: ChatRecord) -> dict[str, Any]:
    return {
        "chat": chat.chat, "chat_instance": chat.chat_instance,
        "members": [[user_id, status] for user_id, status in chat.members.items()],
        "topics": [[t.thread_id, t.name, t.icon_color, t.icon_custom_emoji_id, t.is_closed]
                   for t in chat.topics.values()],
        "messages": [[m.data, m.outgoing, m.thread_id, m.keyboard]
                     for m in chat.messages.values()],
        "pinned": chat.pinned, "next_message_id": chat.next_message_id,
    }


def _chat_record(saved: dict[str, Any]) -> ChatRecord:
    chat = ChatRecord(chat=saved["chat"], chat_instance=saved["chat_instance"],
                      pinned=list(saved["pinned"]), next_message_id=saved["next_message_id"])
    chat.members = {int(user_id): status for user_id, status in saved["members"]}
    for thread_id, name, color, emoji, closed in saved["topics"]:
        chat.topics[thread_id] = TopicRecord(thread_id, name, color, emoji, closed)
    for data, outgoing, thread_id, keyboard in saved["messages"]:
        chat.messages[data["message_id"]] = StoredMessage(data, outgoing, thread_id, keyboard)
    return chat


def _atomic_write(path: Path, data: bytes) -> None:
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def _fingerprint(sandbox: Sandbox) -> tuple[int, ...]:
    """Moves whenever the world changes in a way worth saving (every message, edit, topic and
    member change publishes an event; users, files and updates have their own counters)."""
    return (sandbox.events.last_seq, len(sandbox.world.users), len(sandbox.world.chats),
            sandbox.files._counter, sandbox.updates.next_id, sandbox.updates.pending_count,
            len(sandbox.bot_settings.commands), len(sandbox.bot_settings.profile))


class WorldKeeper:
    """Saves the world when it changed (at most every `interval` seconds) and at the end."""

    def __init__(self, sandbox: Sandbox, world_file: WorldFile, interval: float = 1.0) -> None:
        self._sandbox = sandbox
        self._file = world_file
        self._interval = interval
        self._saved: tuple[int, ...] | None = None
        self._task: asyncio.Task[None] | None = None
        self._stop = asyncio.Event()

    def start(self) -> None:
        self._saved = _fingerprint(self._sandbox) if self._file.exists() else None
        self._task = asyncio.create_task(self._loop(), name="sandbox-world-keeper")

    async def _loop(self) -> None:
        while not self._stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), self._interval)
            try:
                await self.save_if_changed()
            except OSError as error:
                log.warning("sandbox world: cannot save %s (%s); will try again",
                            self._file.path, error)

    async def save_if_changed(self, *, force: bool = False) -> bool:
        fingerprint = _fingerprint(self._sandbox)
        if fingerprint == self._saved and not force:
            return False
        document, blobs = self._file.snapshot(self._sandbox)
        await asyncio.to_thread(self._file.write, document, blobs)
        self._saved = fingerprint
        return True

    async def stop(self) -> None:
        self._stop.set()
        if self._task is not None:
            await self._task
            self._task = None
        # Forced: a change the fingerprint cannot see (a command list edited in place) is
        # kept at least by a clean stop.
        try:
            await self.save_if_changed(force=True)
        except OSError as error:
            log.warning("sandbox world: cannot save %s (%s); this run's changes are lost",
                        self._file.path, error)
