"""Projects: create from the engine's JSON, list with pagination, update with versions, duplicate, delete."""

from __future__ import annotations

from server_helpers import Api, project_json

from faceless.domain import Project


def test_create_validates_with_the_engine_and_stores_its_canonical_json(api: Api) -> None:
    acc = api.signup()
    r = api.as_(acc, "POST", f"/orgs/{acc.org_id}/projects", json={"project": project_json()})
    assert r.status_code == 201
    body = r.json()
    assert body["version"] == 1 and body["title"] == "Octopus facts" and body["created_by"] == acc.user_id
    # Defaults are filled in by the engine, and the stored JSON loads back as a Project.
    assert body["project"]["captions"]["style"] == "pop"
    assert Project.from_data(body["project"]).scenes[1].narration == "And blue blood."


def test_invalid_projects_get_the_engines_message(api: Api) -> None:
    acc = api.signup()
    cases = [
        ({"scenes": []}, "at least one scene"),
        ({"scenes": [{"id": "a", "narration": "  "}]}, "narration is empty"),
        ({"scenes": [{"id": "a", "narration": "x"}], "format": "imax"}, "unknown format"),
        (
            {"schema": "faceless.project/99", "scenes": [{"id": "a", "narration": "x"}]},
            "unsupported project schema",
        ),
        ({"scenes": [{"id": "a", "narration": "x"}], "surprise": 1}, "surprise"),
    ]
    for data, words in cases:
        r = api.as_(acc, "POST", f"/orgs/{acc.org_id}/projects", json={"project": data})
        assert r.status_code == 422, r.text
        assert r.json()["error"]["code"] == "invalid_input" and words in r.json()["error"]["message"]


def test_update_keeps_versions_and_detects_conflicts(api: Api) -> None:
    acc = api.signup()
    base = f"/orgs/{acc.org_id}/projects"
    pid = api.as_(acc, "POST", base, json={"project": project_json("v1")}).json()["id"]
    r = api.as_(
        acc,
        "PUT",
        f"{base}/{pid}",
        json={"project": project_json("v2"), "message": "retitled", "base_version": 1},
    )
    assert r.status_code == 200 and r.json()["version"] == 2 and r.json()["title"] == "v2"
    stale = api.as_(acc, "PUT", f"{base}/{pid}", json={"project": project_json("v3"), "base_version": 1})
    assert stale.status_code == 409 and stale.json()["error"]["code"] == "version_conflict"
    assert api.as_(acc, "PUT", f"{base}/{pid}", json={"project": project_json("v3")}).json()["version"] == 3
    versions = api.as_(acc, "GET", f"{base}/{pid}/versions").json()
    assert [v["version"] for v in versions["items"]] == [3, 2, 1] and versions["total"] == 3
    assert versions["items"][1]["message"] == "retitled"
    old = api.as_(acc, "GET", f"{base}/{pid}/versions/1").json()
    assert old["project"]["title"] == "v1"
    assert api.as_(acc, "GET", f"{base}/{pid}/versions/9").status_code == 404
    assert api.as_(acc, "GET", f"{base}/{pid}").json()["project"]["title"] == "v3"


def test_duplicate_and_delete(api: Api) -> None:
    acc = api.signup()
    base = f"/orgs/{acc.org_id}/projects"
    pid = api.as_(acc, "POST", base, json={"project": project_json("Original")}).json()["id"]
    api.as_(acc, "PUT", f"{base}/{pid}", json={"project": project_json("Original 2")})
    dup = api.as_(acc, "POST", f"{base}/{pid}/duplicate")
    assert dup.status_code == 201
    d = dup.json()
    assert d["id"] != pid and d["title"] == "Original 2 (copy)" and d["version"] == 1
    assert d["project"]["scenes"] == api.as_(acc, "GET", f"{base}/{pid}").json()["project"]["scenes"]
    assert api.as_(acc, "DELETE", f"{base}/{pid}").status_code == 204
    assert api.as_(acc, "GET", f"{base}/{pid}").status_code == 404
    assert api.as_(acc, "GET", f"{base}/{pid}/versions").status_code == 404
    assert api.as_(acc, "GET", f"{base}/{d['id']}").status_code == 200


def test_list_is_paginated_newest_first_and_scoped(api: Api) -> None:
    acc, other = api.signup(), api.signup()
    base = f"/orgs/{acc.org_id}/projects"
    ids = [api.as_(acc, "POST", base, json={"project": project_json(f"p{i}")}).json()["id"] for i in range(5)]
    api.as_(other, "POST", f"/orgs/{other.org_id}/projects", json={"project": project_json("theirs")})
    page1 = api.as_(acc, "GET", base, params={"limit": 2}).json()
    page3 = api.as_(acc, "GET", base, params={"limit": 2, "offset": 4}).json()
    assert page1["total"] == 5 and [p["id"] for p in page1["items"]] == ids[::-1][:2]
    assert [p["id"] for p in page3["items"]] == [ids[0]]
    assert "project" not in page1["items"][0]  # lists stay light
    assert api.as_(acc, "GET", base, params={"limit": 0}).status_code == 422
    assert api.as_(acc, "GET", base, params={"limit": 1000}).status_code == 422
