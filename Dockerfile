# webchat-gateway: Node 20 on Debian bookworm with Debian's Chromium for the browser transport.
FROM node:20-bookworm-slim

ENV NODE_ENV=production \
    CHROME_PATH=/usr/bin/chromium \
    HOST=0.0.0.0 \
    PORT=8787 \
    GATEWAY_DATA_DIR=/data

RUN apt-get update \
 && apt-get install -y --no-install-recommends chromium fonts-dejavu-core xvfb python3 make g++ ca-certificates tini \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY package.json package-lock.json ./
# Dev dependencies are left out; only packages approved in package.json's allowScripts build.
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY bin ./bin
COPY src ./src
COPY demo-site ./demo-site
COPY tsconfig.json ./

RUN useradd --system --create-home --home-dir /home/gateway gateway && mkdir -p /data && chown gateway /data
USER gateway
VOLUME ["/data"]
EXPOSE 8787
HEALTHCHECK --interval=30s --timeout=5s CMD node -e "fetch('http://127.0.0.1:'+process.env.PORT+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# Listening beyond loopback requires GATEWAY_API_KEY (the gateway refuses to start without one).
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "bin/webchat-gateway.mjs", "serve"]
