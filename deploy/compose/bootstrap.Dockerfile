# syntax=docker/dockerfile:1
#
# The compose stack's bootstrap job (deploy/compose/bootstrap.ts): the workspace with the
# production dependencies of @storekeeper/local-cloud installed, and Node 24 running the
# TypeScript sources directly, as in development. A local tool, never deployed.
ARG NODE_IMAGE=node:24.21.0-trixie-slim

FROM ${NODE_IMAGE} AS install
ENV CI=true
WORKDIR /workspace
COPY package.json ./
# The version comes from package.json (packageManager), which hadolint cannot see.
# hadolint ignore=DL3016
RUN npm install --global --no-audit --no-fund --no-update-notifier \
      "$(node -p "require('./package.json').packageManager.split('+')[0]")"
COPY . .
# No `pnpm fetch` layer here, unlike the service images: it fills node_modules/.pnpm with
# every package of the lockfile, and this stage's node_modules is what ships. The store
# lives in a cache mount instead. --prod --no-optional: neither the tools nor the
# embedded PostgreSQL binaries, which bootstrap never starts.
RUN --mount=type=cache,id=storekeeper-pnpm-store,target=/pnpm-store \
    pnpm install --frozen-lockfile --prod --no-optional --store-dir /pnpm-store \
      --filter "@storekeeper/local-cloud..."

FROM ${NODE_IMAGE}
WORKDIR /workspace
COPY --from=install /workspace ./
USER 1000:1000
CMD ["node", "--conditions=@storekeeper/source", "deploy/compose/bootstrap.ts"]
