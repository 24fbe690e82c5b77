"""`hotline kb import FILE.csv | export | search "TEXT" | synonyms | synonym GROUP WORD...`."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from bot.app import command_services
from bot.cli_audit import CommandLineAudit
from bot.settings import Settings
from services.kb.entries_csv import KbFileError
from services.kb.service import KnowledgeBase
from storage.models import KbStatus


def add_kb_parser(commands: argparse._SubParsersAction) -> None:
    kb = commands.add_parser("kb", help="the knowledge base").add_subparsers(
        dest="action", required=True)
    importing = kb.add_parser("import", help="add the entries of a CSV file "
                                             "(category,question,answer), all or none")
    importing.add_argument("file", type=Path)
    export = kb.add_parser("export", help="write the published entries as CSV")
    export.add_argument("--output", type=Path, help="file to write (default: standard output)")
    search = kb.add_parser("search", help="print the best matches, best first")
    search.add_argument("text")
    search.add_argument("--limit", type=int, default=10, choices=range(1, 51),
                        metavar="1..50")
    kb.add_parser("proposals", help="print the proposals waiting for review")
    approve = kb.add_parser("approve", help="publish a proposal (optionally edited)")
    approve.add_argument("entry_id", type=int)
    approve.add_argument("--category")
    approve.add_argument("--question")
    approve.add_argument("--answer", help="Telegram HTML: <b>, <i>, <a href=...>, ...")
    retire = kb.add_parser("retire", help="take an entry or a proposal out of use")
    retire.add_argument("entry_id", type=int)
    kb.add_parser("synonyms", help="print the synonym groups")
    synonym = kb.add_parser("synonym", help="add words to a synonym group (new or existing)")
    synonym.add_argument("group", help="the group's key, e.g. social_worker")
    synonym.add_argument("words", nargs="+")


async def _review(kb: KnowledgeBase, audit: CommandLineAudit, args: argparse.Namespace) -> int:
    if args.action == "retire":
        entry = await kb.proposals.retire(args.entry_id)
    else:
        try:
            entry = await kb.proposals.approve(args.entry_id, None, question=args.question,
                                               answer=args.answer, category=args.category)
        except ValueError as error:
            print(f"hotline: {error}", file=sys.stderr)
            return 2
    if entry is None:
        print(f"hotline: entry {args.entry_id} is not there"
              + (" or is not a proposal waiting for review" if args.action == "approve" else ""),
              file=sys.stderr)
        return 2
    await audit.record(f"kb.{args.action}", target=str(entry.id))
    print(f"entry {entry.id} is now {entry.status}")
    return 0


def kb_command(settings: Settings, args: argparse.Namespace) -> int:
    return asyncio.run(_run(args, settings))


async def _run(args: argparse.Namespace, settings: Settings) -> int:
    async with command_services(settings) as services:
        kb = services.kb
        audit = CommandLineAudit(services.audit)
        if args.action == "import":
            try:
                count = await kb.import_csv(args.file.read_text(encoding="utf-8-sig"))
            except (KbFileError, OSError, UnicodeDecodeError) as error:
                print(f"hotline: {args.file}: {error}; nothing was imported", file=sys.stderr)
                return 2
            await audit.record("kb.import", target=args.file.name, detail={"entries": count})
            print(f"imported {count} entries")
        elif args.action == "export":
            content = await kb.export_csv()
            if args.output is None:
                sys.stdout.write(content)
            else:
                args.output.write_text(content, encoding="utf-8")
                print(f"wrote {content.count(chr(10)) - 1} entries to {args.output}")
        elif args.action == "search":
            for hit in await kb.search(args.text, args.limit):
                print(f"{hit.entry.id}\t{hit.entry.category}\t{hit.entry.question}\t"
                      f"{hit.score:.2f}")
        elif args.action == "proposals":
            for entry in await kb.entries([KbStatus.PROPOSED]):
                one_line = entry.answer.replace("\n", " ⏎ ")
                print(f"{entry.id}\t{entry.category}\tcase {entry.source_case_id}\t"
                      f"{entry.question}\t{one_line}")
        elif args.action in ("approve", "retire"):
            return await _review(kb, audit, args)
        elif args.action == "synonyms":
            for group, words in (await kb.synonyms()).items():
                print(f"{group}\t{' '.join(words)}")
        else:
            try:
                words = await kb.add_synonyms(args.group, args.words)
            except ValueError as error:
                print(f"hotline: {error}", file=sys.stderr)
                return 2
            await audit.record("kb.synonym", target=args.group, detail={"words": words})
            print(f"{args.group}: added {' '.join(words)}")
        return 0
