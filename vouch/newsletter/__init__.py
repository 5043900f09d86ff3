"""The newsletter's domain: digest windows and issue views (rendering lives in vouch.render.email)."""
