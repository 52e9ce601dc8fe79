# syntax=docker/dockerfile:1
#
# The compose stack's bootstrap job (deploy/compose/bootstrap.ts): the workspace with the
# dependencies of @storekeeper/local-cloud installed, and Node 24 running the TypeScript
# sources directly, as in development. A local tool, never deployed.
ARG NODE_IMAGE=node:24.21.0-trixie-slim

FROM ${NODE_IMAGE} AS install
ENV CI=true
WORKDIR /workspace
COPY package.json ./
# The version comes from package.json (packageManager), which hadolint cannot see.
# hadolint ignore=DL3016
RUN npm install --global --no-audit --no-fund --no-update-notifier \
      "$(node -p "require('./package.json').packageManager.split('+')[0]")"
COPY pnpm-lock.yaml pnpm-workspace.yaml .npmrc ./
RUN pnpm fetch
COPY . .
# --no-optional: without the embedded PostgreSQL binaries, which bootstrap never starts.
RUN pnpm install --frozen-lockfile --offline --no-optional --filter "@storekeeper/local-cloud..."

FROM ${NODE_IMAGE}
WORKDIR /workspace
COPY --from=install /workspace ./
USER 1000:1000
CMD ["node", "--conditions=@storekeeper/source", "deploy/compose/bootstrap.ts"]
