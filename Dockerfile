# syntax=docker/dockerfile:1
# Production image: the NestJS server serving the built React client, with the mediasoup SFU worker.
# Build: docker compose build (BuildKit: the worker build is cached between image builds).
FROM node:24-bookworm-slim AS build
# What scripts/mediasoup-worker/ensure-worker.sh compiles the mediasoup worker with (it would install them
# itself as root; installing them here keeps them in a cached layer).
RUN apt-get update \
  && apt-get install -y --no-install-recommends ca-certificates g++ pkg-config ninja-build python3-venv patch \
    libssl-dev libuv1-dev libsrtp2-dev flatbuffers-compiler libflatbuffers-dev \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
COPY shared/package.json shared/
COPY server/package.json server/
COPY client/package.json client/
COPY test/package.json test/
COPY scripts/mediasoup-worker scripts/mediasoup-worker
# npm ci's postinstall finds or builds the worker (about 5-10 min the first time, then from the cache mount)
# and records its path; the binary is copied out of the cache mount into the image.
RUN --mount=type=cache,target=/root/.cache/branchmeet \
  npm ci --no-audit --no-fund \
  && install -D -m 755 "$(cat node_modules/.cache/branchmeet/mediasoup-worker-path)" /app/worker/mediasoup-worker
COPY tsconfig.base.json ./
COPY shared shared
COPY server server
COPY client client
# A workspace's own node_modules holds what it needs in another major version than the root has (server: diff@9,
# while a tool at the root keeps diff@4): copied too, or the server would load the root's at run time.
RUN npm run build && npm prune --omit=dev && mkdir -p shared/node_modules server/node_modules

FROM node:24-bookworm-slim
# The worker's shared libraries (ldd): libssl3 (libssl, libcrypto), libuv1 and libsrtp2-1 (which brings libnss3
# and libnspr4); libstdc++6, libgcc-s1 and libc6 are in the base image.
# fonts-noto-cjk: the Chinese font embedded in PDF exports (PDF_CJK_FONT, the sign-in sheet).
# ffmpeg: the lecture recorder (fed RTP by PlainTransport consumers) and ffprobe for recording durations.
RUN apt-get update \
  && apt-get install -y --no-install-recommends libssl3 libuv1 libsrtp2-1 \
    fonts-noto-cjk ffmpeg \
  && rm -rf /var/lib/apt/lists/*
COPY --from=build /app/worker/mediasoup-worker /usr/local/bin/mediasoup-worker
RUN if ldd /usr/local/bin/mediasoup-worker | grep 'not found'; then exit 1; fi
ENV NODE_ENV=production PORT=3000 CLIENT_DIST=/app/client/dist MEDIASOUP_WORKER_BIN=/usr/local/bin/mediasoup-worker
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules node_modules
COPY --from=build /app/shared/package.json shared/
COPY --from=build /app/shared/dist shared/dist
COPY --from=build /app/shared/node_modules shared/node_modules
COPY --from=build /app/server/package.json server/
COPY --from=build /app/server/node_modules server/node_modules
COPY --from=build /app/server/dist server/dist
COPY --from=build /app/client/dist client/dist
# DATA_DIR in compose (audit checkpoints): a volume the node user can write.
RUN mkdir -p /data && chown node:node /data
USER node
# HTTP, and the SFU: worker i listens on MEDIA_RTC_PORT_BASE + i (UDP and TCP); two workers by default here.
EXPOSE 3000 40000-40001/udp 40000-40001/tcp
HEALTHCHECK --interval=15s --timeout=5s --retries=5 CMD node -e "fetch('http://127.0.0.1:3000/api/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
WORKDIR /app/server
CMD ["node", "dist/main.js"]
