"""The HTTP API: an app factory, thin routers, schemas apart from the tables, one error mapper."""
from madoguchi.api.app import app_from_env, create_app

__all__ = ["app_from_env", "create_app"]
