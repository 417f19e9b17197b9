"""Thin routers: parse the request, call one service function, answer through a schema."""
