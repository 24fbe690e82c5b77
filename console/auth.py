"""Server-side checks for every console view: session, role, and the CSRF token of a POST.

    @requires(Role.STAFF)      # staff and admins
    @requires(Role.EXPERT)     # experts too: the view then shows only their own cases
    async def page(request): ...

No session (none, forged, signed out, expired): 401 with a page saying to send /console.
A session whose holder lacks the role (a resident, a social worker, a revoked staff member):
403. A POST without the session's CSRF token in the form field `csrf`: 403, before the view
runs, so nothing changes. Roles are re-read through PeopleService on every request.
"""

from __future__ import annotations

import functools
import hmac
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from aiohttp import web

from console.keys import COOKIE, SERVICES, VIEWER
from console.rendering import render_refusal
from services.console_access import SessionRecord
from services.people import Person
from storage.models import Role

log = logging.getLogger(__name__)

View = Callable[[web.Request], Awaitable[web.StreamResponse]]

# Who passes each requirement: STAFF pages are open to admins too; EXPERT pages to everyone
# who answers cases (the view narrows an expert to their own cases and offers).
_ALLOWED = {
    Role.EXPERT: frozenset({Role.EXPERT.value, Role.STAFF.value, Role.ADMIN.value}),
    Role.STAFF: frozenset({Role.STAFF.value, Role.ADMIN.value}),
    Role.ADMIN: frozenset({Role.ADMIN.value}),
}
_UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


@dataclass(frozen=True, slots=True)
class Viewer:
    """The signed-in person and their session, as the view and the templates see them."""

    person: Person
    session: SessionRecord

    @property
    def telegram_id(self) -> int:
        return self.person.telegram_id

    @property
    def locale(self) -> str:
        return self.session.locale

    @property
    def csrf(self) -> str:
        return self.session.csrf_token

    @property
    def is_admin(self) -> bool:
        return Role.ADMIN.value in self.person.roles

    @property
    def is_staff(self) -> bool:
        """Sees every case; anyone else who passes Role.EXPERT sees only their own."""
        return self.may(Role.STAFF)

    def may(self, role: Role) -> bool:
        return bool(_ALLOWED[role] & self.person.roles)


def viewer(request: web.Request) -> Viewer:
    """The signed-in viewer of a view declared with @requires."""
    return request[VIEWER]


async def _csrf_ok(request: web.Request, expected: str) -> bool:
    sent = request.headers.get("X-CSRF-Token")
    if sent is None and request.content_type in ("application/x-www-form-urlencoded",
                                                 "multipart/form-data"):
        field = (await request.post()).get("csrf")
        sent = field if isinstance(field, str) else None
    return sent is not None and hmac.compare_digest(sent.encode(), expected.encode())


async def load_viewer(request: web.Request) -> Viewer | None:
    """The viewer behind the request's cookie, without checking a role (sign-out uses it)."""
    services = request.app[SERVICES]
    record = await services.console.session_for(request.cookies.get(COOKIE))
    if record is None:
        return None
    person = await services.people.get(record.telegram_id)
    if person is None or person.forgotten_at is not None:
        return None
    return Viewer(person, record)


def requires(role: Role, *, check_role: bool = True) -> Callable[[View], View]:
    """Declares who may use a view; see the module docstring for the refusals."""
    if role not in _ALLOWED:
        raise ValueError(f"console pages require Role.EXPERT, STAFF or ADMIN, not {role}")

    def decorate(view: View) -> View:
        @functools.wraps(view)
        async def guarded(request: web.Request) -> web.StreamResponse:
            signed_in = await load_viewer(request)
            if signed_in is None:
                return await render_refusal(request, 401, "console.refused.signed_out")
            request[VIEWER] = signed_in
            if (check_role and not signed_in.may(role) and request.method == "GET"
                    and request.path == "/console/" and signed_in.may(Role.EXPERT)):
                # An expert's way in (the brand link, an old bookmark) is their inbox.
                raise web.HTTPSeeOther("/console/inbox")
            if check_role and not signed_in.may(role):
                log.warning("console: refused %s %s to %s (roles %s)", request.method,
                            request.path, signed_in.telegram_id, sorted(signed_in.person.roles))
                return await render_refusal(request, 403, "console.refused.role")
            if request.method in _UNSAFE_METHODS and not await _csrf_ok(request,
                                                                         signed_in.csrf):
                log.warning("console: %s %s without a valid CSRF token from %s",
                            request.method, request.path, signed_in.telegram_id)
                return await render_refusal(request, 403, "console.refused.csrf")
            return await view(request)

        return guarded

    return decorate
