# bbreporters with every reporter of this repository, as a container (docs/deployment.md#docker):
#   docker build -t bbreporters .
#   docker run -d --init --name bbreporters -p 8020:8020 --env-file /etc/bbreporters/bbreporters.env \
#     -v /etc/bbreporters:/etc/bbreporters:ro -v bbreporters-state:/var/lib/bbreporters bbreporters
ARG NODE_IMAGE=node:20-bookworm-slim

# Build: npm ci installs and builds every workspace (the root's prepare script), then the runtime tree
# is copied out: the files each package publishes and only the production dependencies.
FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY . .
RUN npm ci --no-audit --no-fund && node scripts/production-tree.mjs /app

FROM ${NODE_IMAGE}
ENV NODE_ENV=production
# The healthcheck's address: the config's http source must listen on this port.
ENV BBREPORTERS_HEALTHZ_URL=http://127.0.0.1:8020/healthz
COPY --from=build /app /app
# The config is mounted at /etc/bbreporters (read-only is fine); the config's stateDir is
# /var/lib/bbreporters, a volume owned by the service's user (a new named volume takes this owner).
RUN ln -s /app/core/bin/bbreporters.js /usr/local/bin/bbreporters \
  && mkdir -p /etc/bbreporters \
  && install -d -o node -g node -m 0700 /var/lib/bbreporters
VOLUME /var/lib/bbreporters
USER node
EXPOSE 8020
# The http source answers GET /healthz; node's fetch, since the slim image has no curl.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch(process.env.BBREPORTERS_HEALTHZ_URL).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# docker stop sends SIGTERM and kills after 10 s: pending deliveries get 8 s to settle (the unsent
# ones stay in the state volume's outbox and go out at the next start). Raise both together:
# docker stop -t 30 with --drain-ms 25000.
STOPSIGNAL SIGTERM
ENTRYPOINT ["bbreporters"]
CMD ["run", "--config", "/etc/bbreporters/bbreporters.yaml", "--drain-ms", "8000"]
