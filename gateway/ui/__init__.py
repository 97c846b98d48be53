"""The web UI: its built assets (from ``web/``), the sign-in sessions and the routes that serve
them (:func:`gateway.ui.routes.install_ui`)."""
