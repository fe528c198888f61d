"""Who may do what in an organisation: one table, read by every route.

Non-members never reach this table: they get 404 for anything inside an organisation they do not
belong to, so existence does not leak. Members lacking a permission get 403.
"""

from __future__ import annotations

from typing import Literal

Role = Literal["owner", "admin", "editor", "viewer"]
Permission = Literal[
    "org.read",
    "org.update",
    "org.delete",
    "members.read",
    "members.invite",
    "members.manage",
    "audit.read",
    "usage.read",
    "project.read",
    "project.write",
    "project.delete",
    "asset.read",
    "asset.write",
    "job.read",
    "job.submit",
    "job.cancel",
]

_VIEWER: frozenset[Permission] = frozenset(
    {"org.read", "members.read", "project.read", "asset.read", "job.read"}
)
_EDITOR: frozenset[Permission] = _VIEWER | {"project.write", "asset.write", "job.submit", "job.cancel"}
_ADMIN: frozenset[Permission] = _EDITOR | {
    "org.update",
    "members.invite",
    "members.manage",
    "audit.read",
    "usage.read",
    "project.delete",
}
_OWNER: frozenset[Permission] = _ADMIN | {"org.delete"}

PERMISSIONS: dict[Role, frozenset[Permission]] = {
    "owner": _OWNER,
    "admin": _ADMIN,
    "editor": _EDITOR,
    "viewer": _VIEWER,
}

RANK: dict[Role, int] = {"viewer": 0, "editor": 1, "admin": 2, "owner": 3}


def allows(role: str, permission: Permission) -> bool:
    """Whether `role` grants `permission`."""
    return permission in PERMISSIONS.get(role, frozenset())  # type: ignore[call-overload]


def may_assign(actor: str, current: str | None, new: str) -> bool:
    """Whether `actor` may move a member from role `current` (None: a new invitee) to `new`.

    Admins manage editors and viewers and may promote to admin; only owners touch owners.
    """
    if actor == "owner":
        return True
    if actor != "admin":
        return False
    return new != "owner" and current != "owner"


def may_remove(actor: str, target: str) -> bool:
    """Whether `actor` may remove a member holding `target` (everyone may leave by themselves)."""
    return actor == "owner" or (actor == "admin" and target != "owner")
