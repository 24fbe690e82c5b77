"""What the web console's announcement, training and idea pages need beside the services
the bot uses: paged lists of everything, and a way to write to people outside a reply."""

from __future__ import annotations

from dataclasses import dataclass, field

from services.announcements.history import AnnouncementHistory
from services.announcements.media_upload import MediaUploader
from services.console_files import ConsoleFiles
from services.console_forms import FormTokens
from services.ideas.board import IdeaBoard
from services.trainings.board import TrainingBoard
from services.trainings.messenger import SendOutcome, TrainingMessenger
from services.trainings.sessions import CourseSessions


@dataclass(slots=True)
class CommsConsole:
    announcement_history: AnnouncementHistory
    training_board: TrainingBoard
    idea_board: IdeaBoard
    form_tokens: FormTokens
    course_sessions: CourseSessions
    # Photos people sent the bot (ideas), fetched through the bot when a page shows them.
    files: ConsoleFiles = field(default_factory=ConsoleFiles)
    # Connected by bot.app once the bot exists (the same rate-limited sender reminders use).
    messenger: TrainingMessenger | None = None
    # Turns an attachment uploaded in the console into a Telegram file_id (bot.app connects it).
    uploader: MediaUploader | None = None

    def connect(self, messenger: TrainingMessenger) -> None:
        self.messenger = messenger

    def connect_uploader(self, uploader: MediaUploader) -> None:
        self.uploader = uploader

    async def send(self, chat_id: int, html: str) -> bool:
        """Writes to one person (an idea's author); False when it could not be delivered."""
        if self.messenger is None:
            return False
        return await self.messenger.send(chat_id, html) == SendOutcome.SENT
