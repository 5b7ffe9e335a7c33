"""WSGI entry point for other servers, e.g. `gunicorn 'bridge.wsgi:app'` with BRIDGE_CONFIG set.

With several server processes run the worker separately (`bridge worker`, worker.embedded: false)
and use PostgreSQL.
"""

import os

from bridge.config.settings import CONFIG_ENV_VARIABLE, load_settings
from bridge.http.app import create_app
from bridge.logs import configure_logging
from bridge.runtime import build_runtime

_settings = load_settings(os.environ[CONFIG_ENV_VARIABLE])
configure_logging(_settings.logging.level, _settings.logging.format)
app = create_app(build_runtime(_settings))
