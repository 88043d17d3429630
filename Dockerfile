# syntax=docker/dockerfile:1
# Node 24, the maintained LTS (Node 20 reached its end of life in April 2026); CI runs the
# whole suite on it as well as on 20 (.ci/node24.sh). Both stages use the same image, so
# better-sqlite3 is compiled for the Node that runs it.
# Build stage: compiles better-sqlite3 from source (no prebuilt binary is downloaded, see
# .npmrc) and the TypeScript, then drops dev dependencies.
FROM node:24-bookworm-slim AS build
WORKDIR /app
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json .npmrc tsconfig.json ./
# apex's MongoDB driver and request client are replaced by the stand-ins in vendor/
# (package.json overrides); node_modules links to them, so they ship too.
COPY vendor ./vendor
COPY src ./src
COPY migrations ./migrations
COPY views ./views
# The offline JSON-LD context documents (contexts/README.md), read from the project root.
COPY contexts ./contexts
RUN npm ci && npm prune --omit=dev

# Runtime stage: only what serving needs, as the unprivileged `node` user.
FROM node:24-bookworm-slim
ENV NODE_ENV=production \
    HEARTH_SERVER_HOST=0.0.0.0 \
    HEARTH_SERVER_PORT=8080 \
    HEARTH_SERVER_DATA_DIR=/data
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/vendor ./vendor
COPY --from=build /app/dist ./dist
COPY --from=build /app/views ./views
COPY --from=build /app/contexts ./contexts
RUN mkdir -p /data && chown node:node /data
# One volume holds everything the community owns: hearth.sqlite, uploads, and an optional
# config.toml (the working directory is /data, so ./config.toml is /data/config.toml).
VOLUME ["/data"]
WORKDIR /data
USER node
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.HEARTH_SERVER_PORT||8080)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["node", "/app/dist/src/main.js"]
CMD ["serve"]
