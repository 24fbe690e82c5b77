"""The bot's own settings: getMe, commands per scope and language, names and descriptions."""

from __future__ import annotations

import re
from typing import Any

from sandbox.errors import bad_request
from sandbox.methods.registry import method
from sandbox.params import Params
from sandbox.state import Sandbox

_COMMAND = re.compile(r"^[a-z0-9_]{1,32}$")
_PLAIN_SCOPES = frozenset({"default", "all_private_chats", "all_group_chats",
                           "all_chat_administrators"})
_CHAT_SCOPES = frozenset({"chat", "chat_administrators", "chat_member"})


@method("getMe")
def get_me(sandbox: Sandbox, p: Params) -> dict[str, Any]:
    return {
        **sandbox.bot_user,
        "can_join_groups": True,
        "can_read_all_group_messages": False,
        "supports_inline_queries": False,
        "can_connect_to_business": False,
        "has_main_web_app": False,
    }


@method("logOut")
def log_out(sandbox: Sandbox, p: Params) -> bool:
    return True


@method("close")
def close(sandbox: Sandbox, p: Params) -> bool:
    return True


def scope_key(sandbox: Sandbox, scope: Any) -> str:
    """A stable key for a BotCommandScope, with chat usernames resolved to ids."""
    if scope is None:
        return "default"
    if not isinstance(scope, dict) or not isinstance(scope.get("type"), str):
        raise bad_request("can't parse BotCommandScope JSON object")
    kind = scope["type"]
    if kind in _PLAIN_SCOPES:
        return kind
    if kind not in _CHAT_SCOPES:
        raise bad_request("unsupported scope type")
    chat_id = scope.get("chat_id")
    if isinstance(chat_id, str) and chat_id.lstrip("-").isdigit():
        chat_id = int(chat_id)
    chat = sandbox.world.resolve_chat(chat_id)
    if kind != "chat_member":
        return f"{kind}:{chat.id}"
    user_id = scope.get("user_id")
    if not isinstance(user_id, int) or user_id not in sandbox.world.users:
        raise bad_request("user not found")
    return f"chat_member:{chat.id}:{user_id}"


def _language(code: str | None) -> str:
    code = code or ""
    if code and not (len(code) == 2 and code.isascii() and code.isalpha()):
        raise bad_request("invalid language code specified")
    return code.lower()


@method("setMyCommands")
def set_my_commands(sandbox: Sandbox, p: Params) -> bool:
    commands = p.get("commands")
    if not isinstance(commands, list) or len(commands) > 100:
        raise bad_request("can't parse commands JSON object")
    cleaned = []
    for command in commands:
        if not isinstance(command, dict):
            raise bad_request("can't parse BotCommand JSON object")
        for field in ("command", "description"):
            if not isinstance(command.get(field), str):
                raise bad_request(f'can\'t parse BotCommand: Can\'t find field "{field}"')
        if not _COMMAND.match(command["command"]):
            raise bad_request("BOT_COMMAND_INVALID")
        if not 1 <= len(command["description"]) <= 256:
            raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        cleaned.append({"command": command["command"], "description": command["description"]})
    key = (scope_key(sandbox, p.get("scope")), _language(p.get("language_code")))
    if cleaned:
        sandbox.bot_settings.commands[key] = cleaned
    else:
        sandbox.bot_settings.commands.pop(key, None)
    return True


@method("getMyCommands")
def get_my_commands(sandbox: Sandbox, p: Params) -> list[dict[str, Any]]:
    key = (scope_key(sandbox, p.get("scope")), _language(p.get("language_code")))
    return list(sandbox.bot_settings.commands.get(key, []))


@method("deleteMyCommands")
def delete_my_commands(sandbox: Sandbox, p: Params) -> bool:
    key = (scope_key(sandbox, p.get("scope")), _language(p.get("language_code")))
    sandbox.bot_settings.commands.pop(key, None)
    return True


def _set_profile(sandbox: Sandbox, p: Params, field: str, limit: int) -> bool:
    value = p.get(field) or ""
    if len(value) > limit:
        raise bad_request(f"{field} is too long")
    key = (field, _language(p.get("language_code")))
    if value:
        sandbox.bot_settings.profile[key] = value
    else:
        sandbox.bot_settings.profile.pop(key, None)
    return True


def _get_profile(sandbox: Sandbox, p: Params, field: str) -> str:
    profile = sandbox.bot_settings.profile
    language = _language(p.get("language_code"))
    return profile.get((field, language), profile.get((field, ""), ""))


@method("setMyDescription")
def set_my_description(sandbox: Sandbox, p: Params) -> bool:
    return _set_profile(sandbox, p, "description", 512)


@method("getMyDescription")
def get_my_description(sandbox: Sandbox, p: Params) -> dict[str, str]:
    return {"description": _get_profile(sandbox, p, "description")}


@method("setMyShortDescription")
def set_my_short_description(sandbox: Sandbox, p: Params) -> bool:
    return _set_profile(sandbox, p, "short_description", 120)


@method("getMyShortDescription")
def get_my_short_description(sandbox: Sandbox, p: Params) -> dict[str, str]:
    return {"short_description": _get_profile(sandbox, p, "short_description")}


@method("setMyName")
def set_my_name(sandbox: Sandbox, p: Params) -> bool:
    return _set_profile(sandbox, p, "name", 64)


@method("getMyName")
def get_my_name(sandbox: Sandbox, p: Params) -> dict[str, str]:
    name = _get_profile(sandbox, p, "name") or sandbox.bot_user["first_name"]
    return {"name": name}
