"""Staff accounts and logins."""
