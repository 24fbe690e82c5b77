"""A whole PTB Application, polling the sandbox, driven by SandboxClient as a user would."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes

from sandbox.client import SandboxClient
from sandbox.server import SandboxServer


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Talk to an expert",
                                                           callback_data="expert")]])
    await update.message.reply_html(f"<b>Welcome</b>, {update.effective_user.first_name}!",
                                    reply_markup=keyboard)


async def choose(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await update.callback_query.answer("Connecting…")
    await update.callback_query.edit_message_text("An expert will answer soon.")


async def test_application_polls_and_answers(server: SandboxServer, client: SandboxClient) -> None:
    app = (Application.builder().token(server.token).base_url(server.bot_api_base)
           .base_file_url(server.file_api_base).build())
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CallbackQueryHandler(choose))
    async with app:
        await app.start()
        await app.updater.start_polling(poll_interval=0, timeout=1)
        try:
            user = await client.add_user("Ann", persona="resident")
            await client.send_text(user["id"], "/start")
            welcome = await client.wait_for_bot_message(user["id"])
            assert welcome["text"] == "Welcome, Ann!"
            assert welcome["sandbox"]["html"] == "<b>Welcome</b>, Ann!"
            pressed = await client.press_button(user["id"], user["id"], welcome["message_id"],
                                                "expert")
            assert pressed["answer"] == {"text": "Connecting…", "show_alert": False}
            edited = await client.wait_for_edit(user["id"], welcome["message_id"])
            assert edited["text"] == "An expert will answer soon."
        finally:
            await app.updater.stop()
            await app.stop()
    assert [c["method"] for c in await client.calls()][:2] == ["getMe", "deleteWebhook"]
