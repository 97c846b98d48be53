"""The built web UI (``web/`` built by ``make install`` into ``gateway/ui/dist``)."""

from __future__ import annotations

from pathlib import Path

DIST = Path(__file__).parent / "dist"
NOT_BUILT = (
    "<!doctype html><html lang=en><title>Lakegate</title><h1>The web UI is not built</h1>"
    "<p>Run <code>make install</code> (it builds <code>web/</code> into <code>gateway/ui/dist</code>). "
    'The API works without it: <a href="/openapi.json">/openapi.json</a>.</p></html>'
)

#: every page: no framing, no sniffing, scripts only from the gateway itself
PAGE_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
        "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-cache",
}

DOCS_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Lakegate API</title>
<link rel="stylesheet" href="/ui/assets/docs/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/ui/assets/docs/swagger-ui-bundle.js"></script>
<script src="/ui/assets/docs/docs.js"></script>
</body>
</html>
"""


def built() -> bool:
    return (DIST / "index.html").is_file() and (DIST / "app.js").is_file()


def index_html() -> str | None:
    try:
        return (DIST / "index.html").read_text(encoding="utf-8")
    except OSError:
        return None
