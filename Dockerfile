# The operator image: the single executable (scripts/sea.mjs: Node + the bundled CLI + rules,
# controls and config as embedded assets) on a distroless base, run as a non-root user.
#   docker build -t ghcr.io/kubescape-ts/kubescape:0.1.0 .
# The chart (charts/kubescape-operator) runs it as `kubescape operator run`; the CRDs come with
# the chart, so the image needs no files besides the executable.
FROM node:20-bookworm AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts
COPY . .
RUN npm run build && node scripts/bundle.mjs && node scripts/sea.mjs --targets linux-x64

FROM gcr.io/distroless/cc-debian12:nonroot
COPY --from=build /src/dist-bin/linux-x64/kubectl-kubescape /usr/local/bin/kubescape
USER 65532:65532
EXPOSE 4002
ENTRYPOINT ["/usr/local/bin/kubescape"]
CMD ["operator", "run"]
