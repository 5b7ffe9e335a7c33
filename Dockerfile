# The bridge as one small container: `bridge serve` (granian) as a non-root user.
# Mount your config and rules at /config and a volume for the SQLite file at /data, e.g.
#   docker run -v $PWD/config:/config -v bridge-data:/data -p 8080:8080 \
#     -e ZENDESK_API_TOKEN -e ZENDESK_WEBHOOK_SECRET -e JIRA_API_TOKEN -e JIRA_WEBHOOK_SECRET bridge
FROM python:3.11-slim

RUN useradd --create-home --uid 10001 bridge \
 && mkdir -p /config /data && chown bridge:bridge /data
WORKDIR /app
COPY pyproject.toml README.md config.example.yaml ./
COPY bridge ./bridge
COPY connectors ./connectors
COPY rules ./rules
# The README's install step.
RUN pip install --no-cache-dir . && rm -rf /root/.cache

USER bridge
ENV BRIDGE_CONFIG=/config/config.yaml PYTHONUNBUFFERED=1
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=3s \
  CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8080/healthz', timeout=2)"
CMD ["bridge", "serve", "--port", "8080"]
