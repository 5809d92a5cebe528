# syntax=docker/dockerfile:1
# One image for every service; its command picks which: the topology's entry file, as the generated compose file
# and Kubernetes manifests give it (`services/catalog/dist/main.js`). One image because the services share the
# chassis, the contracts and nearly all their dependencies: one build, one scan, one pull per node, and the
# topology, not the build, decides what runs where.

# build: the whole checkout, built as CI builds it, then only what runs (deploy/image/layout.mjs)
FROM node:20-bookworm-slim AS build
WORKDIR /src
COPY . .
RUN npm ci --no-audit --no-fund \
  && node deploy/image/layout.mjs /prod

# run: production dependencies and compiled code only, as an unprivileged user, read-only friendly
FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /prod /app
# where compose's certs and mail containers write (named volumes take this ownership on first use)
RUN mkdir -p /var/lib/microshop/mail && chown -R 1000:1000 /var/lib/microshop
# the image's node user, by number so Kubernetes can check runAsNonRoot
USER 1000:1000
EXPOSE 50051 9464 8080 8081
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s --retries=3 CMD ["node", "deploy/image/healthcheck.mjs"]
ENTRYPOINT ["node"]
CMD ["services/gateway/dist/main.js"]
