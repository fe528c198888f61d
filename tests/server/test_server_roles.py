"""The role matrix: every organisation endpoint × owner/admin/editor/viewer × a foreign user × anonymous.

Members lacking the permission get 403; users of another organisation get 404 (existence does not leak);
anonymous callers get 401. Destructive cases get a fresh target each time.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from server_helpers import Account, Api, project_json

from faceless.server.policy import RANK

ROLES = ["owner", "admin", "editor", "viewer"]
CALLERS = [*ROLES, "foreign", "anonymous"]


@dataclass
class World:
    api: Api
    org: str
    users: dict[str, Account]  # role -> account; "foreign" belongs only to their own organisation
    project: str
    foreign_project: str  # a project of the foreign user's own organisation


@pytest.fixture(scope="module")
def world(app) -> World:  # type: ignore[no-untyped-def]
    from fastapi.testclient import TestClient

    api = Api(TestClient(app))
    users = {role: api.signup() for role in [*ROLES, "foreign"]}
    org = api.team(users["owner"], {r: users[r] for r in ("admin", "editor", "viewer")})
    project = api.as_(
        users["owner"], "POST", f"/orgs/{org}/projects", json={"project": project_json()}
    ).json()["id"]
    fp = api.as_(
        users["foreign"],
        "POST",
        f"/orgs/{users['foreign'].org_id}/projects",
        json={"project": project_json()},
    ).json()["id"]
    return World(api, org, users, project, fp)


def _fresh_member(w: World) -> str:
    extra = w.api.signup()
    w.api.join(w.users["owner"], w.org, extra, "viewer")
    return extra.user_id


def _fresh_project(w: World) -> str:
    r = w.api.as_(w.users["owner"], "POST", f"/orgs/{w.org}/projects", json={"project": project_json()})
    return str(r.json()["id"])


def _fresh_invitation(w: World) -> str:
    r = w.api.as_(
        w.users["owner"], "POST", f"/orgs/{w.org}/invitations", json={"email": "someone@example.com"}
    )
    return str(r.json()["id"])


def _fresh_org(w: World) -> str:
    """A new team where every role is held by the same users as in the main team."""
    return w.api.team(w.users["owner"], {r: w.users[r] for r in ("admin", "editor", "viewer")})


# (name, least role allowed, method, path template, json body, how to make a fresh target or None, ok status)
Prep = Callable[[World], str] | None
ENDPOINTS: list[tuple[str, str, str, str, object, Prep, int]] = [
    ("org.get", "viewer", "GET", "/orgs/{org}", None, None, 200),
    ("org.rename", "admin", "PATCH", "/orgs/{org}", {"name": "Renamed"}, None, 200),
    ("org.delete", "owner", "DELETE", "/orgs/{target}", None, _fresh_org, 204),
    ("members.list", "viewer", "GET", "/orgs/{org}/members", None, None, 200),
    (
        "members.role",
        "admin",
        "PATCH",
        "/orgs/{org}/members/{target}",
        {"role": "editor"},
        _fresh_member,
        200,
    ),
    ("members.remove", "admin", "DELETE", "/orgs/{org}/members/{target}", None, _fresh_member, 204),
    (
        "invitations.create",
        "admin",
        "POST",
        "/orgs/{org}/invitations",
        {"email": "new@example.com"},
        None,
        201,
    ),
    ("invitations.list", "admin", "GET", "/orgs/{org}/invitations", None, None, 200),
    (
        "invitations.cancel",
        "admin",
        "DELETE",
        "/orgs/{org}/invitations/{target}",
        None,
        _fresh_invitation,
        204,
    ),
    ("audit.list", "admin", "GET", "/orgs/{org}/audit", None, None, 200),
    ("usage.get", "admin", "GET", "/orgs/{org}/usage", None, None, 200),
    ("projects.list", "viewer", "GET", "/orgs/{org}/projects", None, None, 200),
    ("projects.create", "editor", "POST", "/orgs/{org}/projects", {"project": project_json()}, None, 201),
    ("projects.get", "viewer", "GET", "/orgs/{org}/projects/{project}", None, None, 200),
    (
        "projects.update",
        "editor",
        "PUT",
        "/orgs/{org}/projects/{project}",
        {"project": project_json("v2")},
        None,
        200,
    ),
    ("projects.duplicate", "editor", "POST", "/orgs/{org}/projects/{project}/duplicate", None, None, 201),
    ("projects.delete", "admin", "DELETE", "/orgs/{org}/projects/{target}", None, _fresh_project, 204),
    ("projects.versions", "viewer", "GET", "/orgs/{org}/projects/{project}/versions", None, None, 200),
    ("projects.version", "viewer", "GET", "/orgs/{org}/projects/{project}/versions/1", None, None, 200),
    (
        "projects.scene_preview",
        "viewer",
        "GET",
        "/orgs/{org}/projects/{project}/scenes/s1/preview.jpg",
        None,
        None,
        200,
    ),
]


def expected(least: str, caller: str, ok: int) -> int:
    if caller == "anonymous":
        return 401
    if caller == "foreign":
        return 404
    return ok if RANK[caller] >= RANK[least] else 403  # type: ignore[index]


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize(
    ("name", "least", "method", "path", "body", "prep", "ok"), ENDPOINTS, ids=[e[0] for e in ENDPOINTS]
)
def test_role_matrix(
    world: World,
    name: str,
    least: str,
    method: str,
    path: str,
    body: object,
    prep: Prep,
    ok: int,
    caller: str,
) -> None:
    target = prep(world) if prep else ""
    url = path.format(org=world.org, project=world.project, target=target)
    account = None if caller == "anonymous" else world.users[caller]
    r = world.api.as_(account, method, url, json=body)
    want = expected(least, caller, ok)
    assert r.status_code == want, f"{name} as {caller}: {r.status_code} {r.text}"
    if want >= 400:
        assert set(r.json()["error"]) == {"code", "message"}


@pytest.mark.parametrize("role", ROLES)
def test_foreign_resource_ids_through_own_org_are_404(world: World, role: str) -> None:
    """A member of the team cannot reach another organisation's project by putting its id under their org."""
    acc = world.users[role]
    for method, suffix in [
        ("GET", ""),
        ("PUT", ""),
        ("DELETE", ""),
        ("GET", "/versions"),
        ("POST", "/duplicate"),
    ]:
        body = {"project": project_json()} if method == "PUT" else None
        r = world.api.as_(
            acc, method, f"/orgs/{world.org}/projects/{world.foreign_project}{suffix}", json=body
        )
        # Viewers lack write permission, which is checked before the lookup: 403 says nothing about the id.
        assert r.status_code in (403, 404), (method, suffix, r.status_code)
        if r.status_code == 403:
            assert role == "viewer" or (method == "DELETE" and role == "editor")
    # The foreign project is untouched.
    foreign = world.users["foreign"]
    got = world.api.as_(foreign, "GET", f"/orgs/{foreign.org_id}/projects/{world.foreign_project}").json()
    assert got["version"] == 1


def test_role_rules_owner_only_and_last_owner(api: Api) -> None:
    owner, admin, editor = api.signup(), api.signup(), api.signup()
    org = api.team(owner, {"admin": admin, "editor": editor})
    # Admins cannot make owners, nor demote owners, nor invite owners.
    r = api.as_(admin, "PATCH", f"/orgs/{org}/members/{editor.user_id}", json={"role": "owner"})
    assert r.status_code == 403
    assert (
        api.as_(admin, "PATCH", f"/orgs/{org}/members/{owner.user_id}", json={"role": "viewer"}).status_code
        == 403
    )
    assert api.as_(admin, "DELETE", f"/orgs/{org}/members/{owner.user_id}").status_code == 403
    r = api.as_(admin, "POST", f"/orgs/{org}/invitations", json={"email": "x@example.com", "role": "owner"})
    assert r.status_code == 403
    # Admin may promote an editor to admin.
    assert (
        api.as_(admin, "PATCH", f"/orgs/{org}/members/{editor.user_id}", json={"role": "admin"}).status_code
        == 200
    )
    # The last owner cannot step down or leave.
    r = api.as_(owner, "PATCH", f"/orgs/{org}/members/{owner.user_id}", json={"role": "admin"})
    assert r.status_code == 409 and r.json()["error"]["code"] == "last_owner"
    assert api.as_(owner, "DELETE", f"/orgs/{org}/members/{owner.user_id}").status_code == 409
    # With a second owner, the first may leave; anyone may leave by themselves.
    assert (
        api.as_(owner, "PATCH", f"/orgs/{org}/members/{admin.user_id}", json={"role": "owner"}).status_code
        == 200
    )
    assert api.as_(owner, "DELETE", f"/orgs/{org}/members/{owner.user_id}").status_code == 204
    assert api.as_(editor, "DELETE", f"/orgs/{org}/members/{editor.user_id}").status_code == 204
    assert api.as_(owner, "GET", f"/orgs/{org}").status_code == 404  # no longer a member


def test_invitations_are_single_use_and_bound_to_the_email(api: Api) -> None:
    owner, invitee, stranger = api.signup(), api.signup(), api.signup()
    org = api.team(owner, {})
    token = api.as_(
        owner, "POST", f"/orgs/{org}/invitations", json={"email": invitee.email, "role": "viewer"}
    ).json()["token"]
    assert api.as_(stranger, "POST", "/invitations/accept", json={"token": token}).status_code == 403
    assert api.as_(invitee, "POST", "/invitations/accept", json={"token": token}).status_code == 200
    assert api.as_(invitee, "POST", "/invitations/accept", json={"token": token}).status_code == 404
    assert api.as_(invitee, "POST", "/invitations/accept", json={"token": "bogus"}).status_code == 404
    roles = {m["user_id"]: m["role"] for m in api.as_(owner, "GET", f"/orgs/{org}/members").json()}
    assert roles == {owner.user_id: "owner", invitee.user_id: "viewer"}
    # Personal organisations do not take members, and cannot be deleted.
    r = api.as_(owner, "POST", f"/orgs/{owner.org_id}/invitations", json={"email": invitee.email})
    assert r.status_code == 409
    assert api.as_(owner, "DELETE", f"/orgs/{owner.org_id}").status_code == 409


def test_audit_log_records_membership_changes(api: Api) -> None:
    owner, member = api.signup(), api.signup()
    org = api.team(owner, {"editor": member})
    api.as_(owner, "PATCH", f"/orgs/{org}/members/{member.user_id}", json={"role": "viewer"})
    events = api.as_(owner, "GET", f"/orgs/{org}/audit").json()
    actions = [e["action"] for e in events["items"]]
    assert actions[0] == "member.role_changed" and events["items"][0]["details"] == {
        "before": "editor",
        "after": "viewer",
    }
    assert {"org.created", "invitation.created", "invitation.accepted"} <= set(actions)
