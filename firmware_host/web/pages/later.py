"""The pages that come once the library's restructure (issue 11) has landed.

Each answers at its final address, behind its final role, under the blueprint name its
own module will have, and says that it is still to come; so the nav, the role checks
and their tests are already what they will be. A page's module replaces its line here.
"""

from __future__ import annotations

from flask import Blueprint, render_template

from firmware_host.web import auth

# blueprint name, address, role, the nav's name for it
LATER = (
    ("approval", "/duyet", "lanh-dao", "web.nav.approval"),
)


def blueprints() -> list[Blueprint]:
    made = []
    for name, address, role, label in LATER:
        blueprint = Blueprint(name, __name__)

        def index(label: str = label) -> str:
            return render_template("later.html", label=label)

        blueprint.add_url_rule(address, "index", auth.requires(role)(index))
        made.append(blueprint)
    return made
