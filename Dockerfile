# The bridge as one small container: `bridge serve` (granian) as a non-root user.
# Mount your config and rules at /config (read-only is fine) and a volume at /data, where a relative
# SQLite path (the default sqlite:///bridge.db) goes (BRIDGE_DATA_DIR), e.g.
#   docker run -v $PWD/config:/config:ro -v bridge-data:/data -p 8080:8080 \
#     -e ZENDESK_API_TOKEN -e ZENDESK_WEBHOOK_SECRET -e JIRA_API_TOKEN -e JIRA_WEBHOOK_SECRET bridge
# (or each secret as a file: -e ZENDESK_API_TOKEN_FILE=/run/secrets/zendesk_api_token ...).
# docker-compose.yaml runs it with PostgreSQL and a separate worker; docs/deploy.md has both.
# deploy/check_image_steps.py replays this file's steps without Docker (tests/deploy run it).
FROM python:3.11-slim

RUN useradd --create-home --uid 10001 bridge \
 && mkdir -p /config /data && chown bridge:bridge /data
WORKDIR /app
COPY pyproject.toml README.md config.example.yaml constraints.txt ./
COPY bridge ./bridge
COPY connectors ./connectors
COPY rules ./rules
# The README's install step at the versions constraints.txt pins, then a check that they agree.
RUN pip install --no-cache-dir -c constraints.txt . && pip check

USER bridge
ENV BRIDGE_CONFIG=/config/config.yaml BRIDGE_DATA_DIR=/data PYTHONUNBUFFERED=1
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=3s \
  CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8080/healthz', timeout=2)"
CMD ["bridge", "serve", "--port", "8080"]
