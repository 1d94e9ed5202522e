# syntax=docker/dockerfile:1
# Build stage: install everything, compile TypeScript.
FROM node:22-bookworm-slim AS build
# Toolchain for better-sqlite3 in case no prebuilt binary can be downloaded.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build && npm prune --omit=dev

# Runtime stage: production dependencies and compiled code only, as a non-root user.
FROM node:22-bookworm-slim
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    LOG_FORMAT=json
WORKDIR /app
COPY --from=build --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
COPY --chown=node:node package.json app.yml ./
RUN mkdir -p /app/data && chown node:node /app/data \
 && chmod +x /app/dist/cli.js && ln -s /app/dist/cli.js /usr/local/bin/modal-github-runner
ENV DATA_DIR=/app/data
VOLUME ["/app/data"]
USER node
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# V8 grows the heap by 20% past what survived its last full collection (not up to 4×) and
# keeps 8 MB young-generation semi-spaces: a lower peak RSS in a burst for a little CPU
# (BENCHMARKS.md measures both). The same flags as `npm start` and the benchmark.
CMD ["node", "--heap-growing-percent=20", "--max-semi-space-size=8", "dist/cli.js", "serve"]
