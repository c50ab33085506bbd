# webchat-gateway: compiled JavaScript on Node 20 (Debian bookworm), with Debian's Chromium and Xvfb
# for `transport: browser` sites. Two stages: the build stage has the dev dependencies and the C++
# toolchain (better-sqlite3 builds from source when no prebuilt binary fits); the runtime stage has
# only dist/, production node_modules and the browser. No secret is baked in: keys come from the
# environment at run time (see .env.example, docs/configuration.md).
#
# Install steps match .ci/run's (same browser packages, same npm, same `npm ci` flags), which CI
# proves; test/deploy/dockerfile-matches-ci.test.ts keeps them in step.
ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS build
ARG NPM_VERSION=11.19.1
ARG NPM_CI_FLAGS="--no-audit --no-fund"
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ ca-certificates \
 && rm -rf /var/lib/apt/lists/*
# npm 11 honours package.json's allowScripts: only approved packages (better-sqlite3) run install scripts.
RUN npm install -g --no-audit --no-fund "npm@${NPM_VERSION}"
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci ${NPM_CI_FLAGS}
COPY tsconfig.json tsconfig.build.json ./
COPY scripts ./scripts
COPY src ./src
COPY demo-site ./demo-site
RUN npm run build && npm prune --omit=dev ${NPM_CI_FLAGS} && npm cache clean --force

FROM ${NODE_IMAGE} AS runtime
ARG BROWSER_PACKAGES="chromium xvfb fonts-dejavu-core"
RUN apt-get update \
 && apt-get install -y --no-install-recommends ${BROWSER_PACKAGES} tini ca-certificates \
 && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production \
    CHROME_PATH=/usr/bin/chromium \
    HOST=0.0.0.0 \
    PORT=8787 \
    GATEWAY_DATA_DIR=/data
WORKDIR /app
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
RUN useradd --system --create-home --home-dir /home/gateway --uid 10001 gateway \
 && mkdir -p /data && chown gateway /data
USER gateway
VOLUME ["/data"]
EXPOSE 8787
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8787)+'/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# tini is PID 1: it forwards SIGTERM to the gateway, which drains (server.shutdownGraceMs, default
# 10 s; keep `docker stop -t` / stop_grace_period above it) and reaps Chromium's children.
# Listening beyond loopback requires GATEWAY_API_KEY (the gateway refuses to start without one).
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "dist/src/cli/main.js", "serve"]
