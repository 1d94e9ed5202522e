# syntax=docker/dockerfile:1
# The base image, pinned by digest so that a rebuild gets the same bytes (the tag is for
# people). To move to a newer one: `docker buildx imagetools inspect node:22-slim`, then put
# its "Digest:" (the multi-platform index) here. Both stages use it, so better-sqlite3 is built
# against the runtime's own Node and C library.
ARG NODE_IMAGE=node:22-slim@sha256:813a7480f28fdadac1f7f5c824bcdad435b5bc1322a5968bbbdef8d058f9dff4

# Build stage: install everything without running any package's install script, then build
# only the one native module, better-sqlite3; compile TypeScript.
FROM ${NODE_IMAGE} AS build
# Toolchain for better-sqlite3 in case no prebuilt binary can be downloaded.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts && npm rebuild better-sqlite3
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build && npm prune --omit=dev --ignore-scripts

# Runtime stage: production dependencies and compiled code only. The app's files belong to
# root and are read-only to the non-root user that runs it; only /app/data is writable.
FROM ${NODE_IMAGE}
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    LOG_FORMAT=json
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json app.yml ./
RUN chmod -R a-w,a+rX /app/node_modules /app/dist /app/package.json /app/app.yml \
 && chmod 0555 /app/dist/cli.js \
 && mkdir -p /app/data && chown node:node /app/data && chmod 0700 /app/data \
 && ln -s /app/dist/cli.js /usr/local/bin/modal-github-runner
ENV DATA_DIR=/app/data
VOLUME ["/app/data"]
USER node
EXPOSE 3000
# /healthz answers 200 while the process serves HTTP, in setup mode too (the setup page listens
# on 127.0.0.1 inside the container, which is where this check looks).
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# V8 grows the heap by 20% past what survived its last full collection (not up to 4×) and
# keeps 8 MB young-generation semi-spaces: a lower peak RSS in a burst for a little CPU
# (BENCHMARKS.md measures both). The same flags as `npm start` and the benchmark.
CMD ["node", "--heap-growing-percent=20", "--max-semi-space-size=8", "dist/cli.js", "serve"]
