"""What the HTTP API (``api/``) and the screens (``web/``) share, below both: the request's
runtime and actor (:mod:`.deps`), the field types (:mod:`.fields`), the one error mapper
(:mod:`.errors`) and the middleware every answer passes (:mod:`.middleware`)."""
