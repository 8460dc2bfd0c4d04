"""The panel's pages in the order the nav shows them, and which of them a user sees.

The page names are those of issue 14. Whether a user sees a page is decided by the
same marks the gate enforces (:func:`firmware_host.web.auth.allowed`), and a page whose
blueprint is not registered is not shown at all: a page module added later appears
in the nav by being registered, nothing to edit here but its line.
"""

from __future__ import annotations

from dataclasses import dataclass

from firmware_host.web.auth import allowed
from firmware_host.web.users import User


@dataclass(frozen=True)
class Page:
    endpoint: str
    label: str  # message key: the short name under the icon
    icon: str  # name of an icon in templates/icons.html


PAGES = (
    Page("home.index", "web.nav.home", "home"),
    Page("clips.index", "web.nav.clips", "clips"),
    Page("schedules.index", "web.nav.schedules", "calendar"),
    Page("approval.index", "web.nav.approval", "approve"),
    Page("emergency.index", "web.nav.emergency", "alert"),
    Page("log.index", "web.nav.log", "list"),
    Page("system.index", "web.nav.system", "tools"),
)


def visible_pages(user: User | None) -> list[Page]:
    if user is None or user.must_change:
        return []
    return [page for page in PAGES if allowed(user, page.endpoint)]
