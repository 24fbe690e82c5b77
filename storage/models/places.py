"""The district's streets (街道) and their communities (社区): reference data staff edit as CSV."""

from __future__ import annotations

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel


class Place(SQLModel, table=True):
    __tablename__ = "places"
    __table_args__ = (UniqueConstraint("street", "community", name="uq_places_street_community"),)

    id: int | None = Field(default=None, primary_key=True)
    street: str = Field(max_length=32)
    street_en: str = Field(max_length=64)
    community: str = Field(max_length=32)
    community_en: str = Field(max_length=64)
    position: int = Field(default=0)
