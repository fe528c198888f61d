"""Organisations: teams, members and roles, invitations, the audit log."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from sqlalchemy import func, select

from faceless.server import accounts
from faceless.server.deps import Ctx, CurrentPrincipal, Db, OrgAccess, client_ip, org_access, requires
from faceless.server.errors import ApiError, not_found
from faceless.server.policy import may_assign, may_remove
from faceless.server.schemas import (
    AcceptIn,
    AuditOut,
    InvitationCreatedOut,
    InvitationIn,
    InvitationOut,
    MemberOut,
    MyOrgOut,
    OrgIn,
    OrgOut,
    Page,
    RoleIn,
)
from faceless.server.security import new_token, sha256_hex
from faceless.service.models import AuditEvent, Invitation, Membership, Organisation, User, utcnow

router = APIRouter(tags=["organisations"])
Id = Annotated[str, Path(max_length=64)]


@router.get("/orgs", response_model=list[MyOrgOut])
def list_orgs(principal: CurrentPrincipal, db: Db) -> list[MyOrgOut]:
    """Organisations the caller belongs to, personal first."""
    rows = db.execute(
        select(Organisation, Membership.role)
        .join(Membership, Membership.org_id == Organisation.id)
        .where(Membership.user_id == principal.user.id)
        .order_by(Organisation.personal.desc(), Organisation.created_at)
    ).all()
    return [
        MyOrgOut(id=o.id, name=o.name, personal=o.personal, created_at=o.created_at, role=r) for o, r in rows
    ]


@router.post("/orgs", status_code=201, response_model=MyOrgOut)
def create_org(body: OrgIn, request: Request, principal: CurrentPrincipal, db: Db) -> MyOrgOut:
    """Create a team organisation; the caller becomes its owner."""
    org = Organisation(name=body.name.strip(), personal=False)
    db.add(org)
    db.flush()
    db.add(Membership(org_id=org.id, user_id=principal.user.id, role="owner"))
    accounts.audit(
        db,
        "org.created",
        user_id=principal.user.id,
        org_id=org.id,
        target_type="org",
        target_id=org.id,
        ip=client_ip(request),
    )
    db.commit()
    return MyOrgOut(id=org.id, name=org.name, personal=False, created_at=org.created_at, role="owner")


@router.get("/orgs/{org_id}", response_model=MyOrgOut)
def get_org(access: Annotated[OrgAccess, Depends(requires("org.read"))]) -> MyOrgOut:
    o = access.org
    return MyOrgOut(id=o.id, name=o.name, personal=o.personal, created_at=o.created_at, role=access.role)  # type: ignore[arg-type]


@router.patch("/orgs/{org_id}", response_model=OrgOut)
def rename_org(
    body: OrgIn, request: Request, access: Annotated[OrgAccess, Depends(requires("org.update"))], db: Db
) -> Organisation:
    """Rename the organisation (admin, owner)."""
    org = access.org
    org.name = body.name.strip()
    accounts.audit(
        db,
        "org.renamed",
        user_id=access.user.id,
        org_id=org.id,
        target_type="org",
        target_id=org.id,
        ip=client_ip(request),
        name=org.name,
    )
    db.commit()
    return org


@router.delete("/orgs/{org_id}", status_code=204)
def delete_org(
    request: Request, access: Annotated[OrgAccess, Depends(requires("org.delete"))], db: Db
) -> Response:
    """Delete a team organisation and everything in it (owner). Personal organisations stay."""
    if access.org.personal:
        raise ApiError(
            409, "a personal organisation cannot be deleted: delete the account instead", "personal_org"
        )
    accounts.audit(
        db,
        "org.deleted",
        user_id=access.user.id,
        org_id=access.org.id,
        target_type="org",
        target_id=access.org.id,
        ip=client_ip(request),
    )
    from faceless.server.routes.jobs import drop_blobs

    files = f"orgs/{access.org.id}"  # its assets and renders, deleted once the rows are
    db.delete(access.org)
    db.commit()
    drop_blobs(request, [files])
    return Response(status_code=204)


# --- members ------------------------------------------------------------------------------------


@router.get("/orgs/{org_id}/members", response_model=list[MemberOut])
def list_members(access: Annotated[OrgAccess, Depends(requires("members.read"))], db: Db) -> list[MemberOut]:
    rows = db.execute(
        select(Membership, User)
        .join(User, User.id == Membership.user_id)
        .where(Membership.org_id == access.org.id)
        .order_by(Membership.created_at)
    ).all()
    return [
        MemberOut(user_id=u.id, email=u.email, name=u.name, role=m.role, joined_at=m.created_at)  # type: ignore[arg-type]
        for m, u in rows
    ]


def _membership(db: Db, org_id: str, user_id: str) -> Membership:
    m = db.scalar(select(Membership).where(Membership.org_id == org_id, Membership.user_id == user_id))
    if m is None:
        raise not_found("member")
    return m


def _owners(db: Db, org_id: str) -> int:
    return db.scalar(select(func.count()).where(Membership.org_id == org_id, Membership.role == "owner")) or 0


@router.patch("/orgs/{org_id}/members/{user_id}", response_model=MemberOut)
def change_role(
    user_id: Id,
    body: RoleIn,
    request: Request,
    access: Annotated[OrgAccess, Depends(requires("members.manage"))],
    db: Db,
) -> MemberOut:
    """Change a member's role. Admins manage non-owners; only owners grant or take the owner role."""
    m = _membership(db, access.org.id, user_id)
    if not may_assign(access.role, m.role, body.role):
        raise ApiError(
            403,
            f"a{'n' if access.role == 'admin' else ''} {access.role} cannot change an {m.role} "
            f"to {body.role}: ask an owner",
        )
    if m.role == "owner" and body.role != "owner" and _owners(db, access.org.id) <= 1:
        raise ApiError(409, "this is the last owner: make someone else owner first", "last_owner")
    before = m.role
    m.role = body.role
    accounts.audit(
        db,
        "member.role_changed",
        user_id=access.user.id,
        org_id=access.org.id,
        target_type="user",
        target_id=user_id,
        ip=client_ip(request),
        before=before,
        after=body.role,
    )
    db.commit()
    u = db.get(User, user_id)
    assert u is not None
    return MemberOut(user_id=u.id, email=u.email, name=u.name, role=body.role, joined_at=m.created_at)


@router.delete("/orgs/{org_id}/members/{user_id}", status_code=204)
def remove_member(
    user_id: Id, request: Request, access: Annotated[OrgAccess, Depends(org_access)], db: Db
) -> Response:
    """Remove a member (admins: non-owners; owners: anyone). Any member may remove themselves (leave)."""
    m = _membership(db, access.org.id, user_id)
    leaving = user_id == access.user.id
    if not leaving:
        access.require("members.manage")
        if not may_remove(access.role, m.role):
            raise ApiError(403, f"an {access.role} cannot remove an {m.role}: ask an owner")
    if access.org.personal and m.role == "owner":
        raise ApiError(409, "the owner cannot leave their personal organisation", "personal_org")
    if m.role == "owner" and _owners(db, access.org.id) <= 1:
        raise ApiError(409, "this is the last owner: make someone else owner first", "last_owner")
    db.delete(m)
    accounts.audit(
        db,
        "member.left" if leaving else "member.removed",
        user_id=access.user.id,
        org_id=access.org.id,
        target_type="user",
        target_id=user_id,
        ip=client_ip(request),
    )
    db.commit()
    return Response(status_code=204)


# --- invitations --------------------------------------------------------------------------------


@router.post("/orgs/{org_id}/invitations", status_code=201, response_model=InvitationCreatedOut)
def invite(
    body: InvitationIn,
    request: Request,
    ctx: Ctx,
    access: Annotated[OrgAccess, Depends(requires("members.invite"))],
    db: Db,
) -> InvitationCreatedOut:
    """Invite someone by email with a role. The token is returned once (mail delivery comes later)."""
    if access.org.personal:
        raise ApiError(
            409,
            "personal organisations have one member: create a team organisation to invite people",
            "personal_org",
        )
    if not may_assign(access.role, None, body.role):
        raise ApiError(403, f"an {access.role} cannot invite an {body.role}: ask an owner")
    token = new_token()
    inv = Invitation(
        org_id=access.org.id,
        email=body.email,
        role=body.role,
        token_hash=sha256_hex(token),
        invited_by=access.user.id,
        expires_at=utcnow() + timedelta(days=ctx.settings.invitation_days),
    )
    db.add(inv)
    db.flush()
    accounts.audit(
        db,
        "invitation.created",
        user_id=access.user.id,
        org_id=access.org.id,
        target_type="invitation",
        target_id=inv.id,
        ip=client_ip(request),
        email=body.email,
        role=body.role,
    )
    db.commit()
    return InvitationCreatedOut(**InvitationOut.model_validate(inv).model_dump(), token=token)


@router.get("/orgs/{org_id}/invitations", response_model=list[InvitationOut])
def list_invitations(
    access: Annotated[OrgAccess, Depends(requires("members.invite"))], db: Db
) -> list[Invitation]:
    """Open invitations (not yet accepted)."""
    return list(
        db.scalars(
            select(Invitation)
            .where(Invitation.org_id == access.org.id, Invitation.accepted_at.is_(None))
            .order_by(Invitation.created_at.desc())
        )
    )


@router.delete("/orgs/{org_id}/invitations/{invitation_id}", status_code=204)
def cancel_invitation(
    invitation_id: Id,
    request: Request,
    access: Annotated[OrgAccess, Depends(requires("members.invite"))],
    db: Db,
) -> Response:
    inv = db.scalar(
        select(Invitation).where(
            Invitation.id == invitation_id,
            Invitation.org_id == access.org.id,
            Invitation.accepted_at.is_(None),
        )
    )
    if inv is None:
        raise not_found("invitation")
    db.delete(inv)
    accounts.audit(
        db,
        "invitation.cancelled",
        user_id=access.user.id,
        org_id=access.org.id,
        target_type="invitation",
        target_id=invitation_id,
        ip=client_ip(request),
    )
    db.commit()
    return Response(status_code=204)


@router.post("/invitations/accept", response_model=MyOrgOut)
def accept_invitation(body: AcceptIn, request: Request, principal: CurrentPrincipal, db: Db) -> MyOrgOut:
    """Join the organisation of an invitation addressed to the caller's email."""
    inv = db.scalar(select(Invitation).where(Invitation.token_hash == sha256_hex(body.token)))
    user = principal.user
    if inv is None or inv.accepted_at is not None or inv.expires_at <= utcnow():
        raise ApiError(404, "invitation not found, used or expired: ask for a new one")
    if inv.email != user.email:
        raise ApiError(403, "this invitation is for another email address: sign in with that account")
    org = db.get(Organisation, inv.org_id)
    assert org is not None
    existing = db.scalar(select(Membership).where(Membership.org_id == org.id, Membership.user_id == user.id))
    role = inv.role
    if existing is None:
        db.add(Membership(org_id=org.id, user_id=user.id, role=inv.role))
    else:
        role = existing.role  # already a member: an invitation never changes a role
    inv.accepted_at = utcnow()
    inv.accepted_by = user.id
    accounts.audit(
        db,
        "invitation.accepted",
        user_id=user.id,
        org_id=org.id,
        target_type="invitation",
        target_id=inv.id,
        ip=client_ip(request),
    )
    db.commit()
    return MyOrgOut(id=org.id, name=org.name, personal=org.personal, created_at=org.created_at, role=role)  # type: ignore[arg-type]


@router.get("/orgs/{org_id}/audit", response_model=Page[AuditOut])
def audit_log(
    access: Annotated[OrgAccess, Depends(requires("audit.read"))],
    db: Db,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> Page[AuditOut]:
    """The organisation's audit events, newest first (admin, owner)."""
    where = AuditEvent.org_id == access.org.id
    total = db.scalar(select(func.count()).select_from(AuditEvent).where(where)) or 0
    rows = db.scalars(
        select(AuditEvent)
        .where(where)
        .order_by(AuditEvent.at.desc(), AuditEvent.id)
        .limit(limit)
        .offset(offset)
    )
    return Page[AuditOut](
        items=[AuditOut.model_validate(r) for r in rows], total=total, limit=limit, offset=offset
    )
