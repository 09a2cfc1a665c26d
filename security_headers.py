"""Headers every response carries, and the cookie flags for production."""

from flask import Flask

# The one script taken from elsewhere (base.html; SRI-checked there too).
HTMX_CDN_URL = "https://cdn.jsdelivr.net/npm/htmx.org@2.0.11/dist/htmx.min.js"

# Scripts only from this app and that one file on its CDN (a full path, not the CDN's whole host,
# whose other packages anyone can publish); no inline script or style, no eval; the app can't be
# framed, and forms post only to it.
CSP = "; ".join(
    [
        "default-src 'self'",
        f"script-src 'self' {HTMX_CDN_URL}",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def init_app(app: Flask) -> None:
    secure = app.config["SECURE_COOKIES"]
    app.config.update(
        SESSION_COOKIE_SECURE=secure,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_SECURE=secure,
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
    )

    app.jinja_env.globals["htmx_cdn_url"] = HTMX_CDN_URL

    @app.after_request
    def _headers(response):
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if app.config["SECURE_COOKIES"]:
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        return response
