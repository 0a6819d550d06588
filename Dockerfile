# The ledger's image: the API on the embedded store; the data folder is a volume.
FROM node:20-bookworm-slim AS build
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production LEDGER_DATA_DIR=/data PORT=3000
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/scripts ./scripts
COPY package.json ./
RUN mkdir -p /data /keys && chown node:node /data /keys
VOLUME /data
EXPOSE 3000
USER node
CMD ["node", "-r", "./scripts/register-paths.js", "dist/apps/api/src/main.js"]
