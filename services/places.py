"""The places list (streets and communities), as data: a CSV staff can edit and re-import."""

from __future__ import annotations

import asyncio
import csv
import io
from dataclasses import dataclass
from pathlib import Path

import storage
from services.csv_input import CsvLineError, numbered_rows, reason_of
from storage.repositories.places import PlaceRepository

DEFAULT_PLACES_FILE = Path(storage.__file__).parent / "seed" / "places.csv"
COLUMNS = ("street", "street_en", "community", "community_en")
# Matching the table's column widths.
LIMITS = {"street": 32, "street_en": 64, "community": 32, "community_en": 64}


class PlacesFileError(ValueError):
    """The file is refused whole; the message names the line and the reason."""


@dataclass(frozen=True, slots=True)
class Street:
    name: str
    name_en: str
    communities: tuple[tuple[str, str], ...]  # (name, English name)

    def label(self, locale: str) -> str:
        return self.name_en if locale == "en" else self.name


def parse_places_csv(text: str) -> list[dict]:
    try:
        return _places(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    except CsvLineError as error:
        raise PlacesFileError(str(error)) from None


def _places(reader: csv.DictReader) -> list[dict]:
    try:
        header = reader.fieldnames  # reads line 1
    except csv.Error as error:
        raise CsvLineError(1, reason_of(error)) from None
    if tuple(header or ()) != COLUMNS:
        raise PlacesFileError(f"line 1: the columns must be {','.join(COLUMNS)}")
    found, seen = [], set()
    for position, (line, row) in enumerate(numbered_rows(reader)):
        values = {column: (row.get(column) or "").strip() for column in COLUMNS}
        for column, value in values.items():
            if not value:
                raise PlacesFileError(f"line {line}: {column} is empty")
            if len(value) > LIMITS[column]:
                raise PlacesFileError(f"line {line}: {column} is longer than {LIMITS[column]}")
        key = (values["street"], values["community"])
        if key in seen:
            raise PlacesFileError(f"line {line}: {key[0]} / {key[1]} is listed twice")
        seen.add(key)
        found.append({**values, "position": position})
    if not found:
        raise PlacesFileError("the file lists no places")
    return found


class PlacesService:
    def __init__(self, places: PlaceRepository) -> None:
        self._places = places

    async def seed_if_empty(self, path: Path = DEFAULT_PLACES_FILE) -> bool:
        if await self._places.count():
            return False
        text = await asyncio.to_thread(path.read_text, encoding="utf-8")
        await self._places.seed(parse_places_csv(text))
        return True

    async def import_file(self, path: Path) -> int:
        """Replaces the list with the file's; a bad file changes nothing."""
        return await self.import_text(await asyncio.to_thread(path.read_text, encoding="utf-8"))

    async def import_text(self, text: str) -> int:
        """Replaces the list with the CSV text's; a bad text changes nothing."""
        rows = parse_places_csv(text)
        await self._places.replace_all(rows)
        return len(rows)

    async def streets(self) -> list[Street]:
        grouped: dict[str, Street] = {}
        for place in await self._places.all():
            street = grouped.get(place.street)
            pair = ((place.community, place.community_en),)
            grouped[place.street] = (
                Street(place.street, place.street_en, pair) if street is None
                else Street(street.name, street.name_en, street.communities + pair)
            )
        return list(grouped.values())
