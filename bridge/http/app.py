"""The Flask application factory."""

from __future__ import annotations

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from bridge.http.api import api
from bridge.http.dashboard import dashboard
from bridge.http.errors import register_error_handlers
from bridge.http.health import health
from bridge.http.webhooks import WebhookIntake
from bridge.runtime import Runtime


def create_app(runtime: Runtime) -> Flask:
    app = Flask("bridge")
    app.config["MAX_CONTENT_LENGTH"] = runtime.settings.server.max_body_bytes
    app.extensions["bridge"] = runtime
    register_error_handlers(app)
    app.register_blueprint(health)
    app.register_blueprint(api)
    app.register_blueprint(dashboard)
    # Flask's documented way to add WSGI middleware is to replace `wsgi_app`, which its types
    # declare as a method: hence the two ignores.
    if runtime.settings.server.trusted_proxies:
        # Only then is X-Forwarded-Proto believed (it makes the dashboard's cookie Secure).
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=0,  # type: ignore[method-assign]
                                x_proto=runtime.settings.server.trusted_proxies, x_host=0, x_port=0, x_prefix=0)
    app.wsgi_app = WebhookIntake(runtime, app.wsgi_app)  # type: ignore[method-assign]
    return app
