"""What each recorded action is called on the audit page, in the viewer's language.

The log stores stable action names (`cases.transfer`), written by the console, the bot and
the command line alike. The page shows the name in words with the stored name beside it; an
action without a text here (a new one) shows its stored name alone, never a catalogue key.
"""

from __future__ import annotations

ACTIONS = {
    "console.sign_in": "console_polish.action.console_sign_in",
    "console.sign_out": "console_polish.action.console_sign_out",
    "roster.update": "console_polish.action.roster_update",
    "roster.import": "console_polish.action.roster_import",
    "roster.import_refused": "console_polish.action.roster_import_refused",
    "roster.export": "console_polish.action.roster_export",
    "roster.shift_add": "console_polish.action.roster_shift_add",
    "roster.shift_remove": "console_polish.action.roster_shift_remove",
    "roster.shift_retime": "console_polish.action.roster_shift_retime",
    "roster.override_add": "console_polish.action.roster_override_add",
    "roster.override_remove": "console_polish.action.roster_override_remove",
    "roster.override_swap": "console_polish.action.roster_override_swap",
    "cases.reassign": "console_polish.action.cases_reassign",
    "cases.transfer": "console_polish.action.cases_transfer",
    "cases.close": "console_polish.action.cases_close",
    "cases.take_over": "console_polish.action.cases_take_over",
    "cases.export": "console_polish.action.cases_export",
    "cases.block": "console_polish.action.cases_block",
    "cases.unblock": "console_polish.action.cases_unblock",
    "experts.add": "console_polish.action.experts_add",
    "experts.update": "console_polish.action.experts_update",
    "categories.set": "console_polish.action.categories_set",
    "places.import": "console_polish.action.places_import",
    "announcements.send": "console_polish.action.announcements_send",
    "announcements.schedule": "console_polish.action.announcements_schedule",
    "announcements.cancel": "console_polish.action.announcements_cancel",
    "announcements.topic_set": "console_polish.action.announcements_topic_set",
    "trainings.create": "console_polish.action.trainings_create",
    "trainings.edit": "console_polish.action.trainings_edit",
    "trainings.reschedule": "console_polish.action.trainings_reschedule",
    "trainings.place": "console_polish.action.trainings_place",
    "trainings.session_add": "console_polish.action.trainings_session_add",
    "trainings.session_remove": "console_polish.action.trainings_session_remove",
    "trainings.cancel": "console_polish.action.trainings_cancel",
    "trainings.attendance": "console_polish.action.trainings_attendance",
    "trainings.export": "console_polish.action.trainings_export",
    "ideas.status": "console_polish.action.ideas_status",
    "ideas.publish": "console_polish.action.ideas_publish",
    "ideas.note": "console_polish.action.ideas_note",
    "ideas.duplicate": "console_polish.action.ideas_duplicate",
    "ideas.hide": "console_polish.action.ideas_hide",
    "ideas.show": "console_polish.action.ideas_show",
    "ideas.export": "console_polish.action.ideas_export",
    "kb.import": "console_kb.action.import",
    "kb.approve": "console_kb.action.approve",
    "kb.save": "console_kb.action.save",
    "kb.retire": "console_kb.action.retire",
    "kb.synonym": "console_kb.action.synonym",
}
