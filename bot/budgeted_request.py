"""Counts the bot's replies to people against the broadcast limiter, so broadcasts make room.

Replies are never delayed here: they take their token at once, and the limiter holds
broadcasts back until the global budget has recovered. Broadcast calls (marked by
bot.telegram_sender.broadcast_traffic) have already taken theirs.
"""

from __future__ import annotations

from telegram.request import BaseRequest, RequestData

from bot.telegram_sender import is_broadcast_traffic
from bot.transport import DelegatingRequest
from services.delivery.limits import RateLimiter

# Methods Telegram counts against its flood limits: the ones that create messages.
COUNTED_METHODS = frozenset({
    "sendMessage", "sendPhoto", "sendDocument", "sendVoice", "sendAudio", "sendVideo",
    "sendAnimation", "sendSticker", "sendLocation", "sendContact", "sendMediaGroup",
    "sendVenue", "sendPoll", "sendDice", "sendVideoNote", "copyMessage", "forwardMessage",
})


class BudgetedRequest(DelegatingRequest):
    def __init__(self, inner: BaseRequest, limiter: RateLimiter) -> None:
        super().__init__(inner)
        self._limiter = limiter

    def before(self, api_method: str, request_data: RequestData | None) -> None:
        if not is_broadcast_traffic() and api_method in COUNTED_METHODS:
            raw = str((request_data.parameters if request_data else {}).get("chat_id"))
            # "@channel" names have no numeric id; the global budget is what counts for them.
            self._limiter.take_interactive(int(raw) if raw.lstrip("-").isdigit() else 0)
