"""madoguchi: the cash desk of a Japanese city hall."""
