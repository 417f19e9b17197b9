"""Logging in and out: a cookie session for the screens, a bearer token for /docs and scripts."""
from __future__ import annotations

from typing import Annotated, Any

from fastapi import Form, Request, Response, status

from madoguchi.api.routing import ApiRouter
from madoguchi.api.schemas import LoginCreate, SessionPublic, TokenPublic
from madoguchi.http.deps import SESSION_COOKIE, RuntimeDep, SessionDep, client_address
from madoguchi.http.fields import Login, Password
from madoguchi.services.staff import accounts as staff

router = ApiRouter(prefix="/api/auth", tags=["auth"])


@router.post("/login", response_model=SessionPublic)
def login(body: LoginCreate, request: Request, response: Response, rt: RuntimeDep) -> dict[str, Any]:
    """Cookie session; the answer's ``csrf_token`` goes in ``X-CSRF-Token`` on every write."""
    result = staff.login(rt, login=body.login, password=body.password, client=client_address(request),
                         kind="cookie")
    response.set_cookie(SESSION_COOKIE, result.token, max_age=rt.settings.session_hours * 3600,
                        httponly=True, samesite="strict", secure=request.url.scheme == "https", path="/")
    return {"login": result.actor.login, "role": result.actor.role.value, "sites": sorted(result.actor.sites),
            "display_name": result.display_name, "csrf_token": result.csrf_token}


@router.post("/token", response_model=TokenPublic)
def token(request: Request, rt: RuntimeDep, username: Annotated[Login, Form()],
          password: Annotated[Password, Form()]) -> dict[str, Any]:
    """OAuth2 password flow (the /docs "Authorize" button): a bearer token, no cookie."""
    result = staff.login(rt, login=username, password=password, client=client_address(request),
                         kind="bearer")
    return {"access_token": result.token, "token_type": "bearer"}


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT)
def logout(session: SessionDep, rt: RuntimeDep, response: Response) -> None:
    staff.logout(rt, session.token)
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="strict")


@router.get("/me", response_model=SessionPublic)
def me(session: SessionDep) -> dict[str, Any]:
    """Who is logged in; a cookie session gets its CSRF token again (after a page reload)."""
    actor = session.actor
    return {"login": actor.login, "role": actor.role.value, "sites": sorted(actor.sites),
            "display_name": session.display_name,
            "csrf_token": session.csrf_token if session.via == "cookie" else None}
