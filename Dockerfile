# syntax=docker/dockerfile:1
#
# newsflow: one static binary on a distroless, non-root base.
#
#   make image                       # tags $(IMAGE):$(VERSION)
#   docker build --build-arg VERSION=1.2.3 --build-arg COMMIT=$(git rev-parse --short=12 HEAD) -t newsflow:1.2.3 .
#
# The same image runs every command: `newsflow run` (the default), one stage
# per container (`newsflow fetch|clean|extract|store`), or `newsflow serve`.
# Pin the bases by digest in your registry mirror if you need reproducible
# builds: GO_IMAGE=golang:1.26.8-bookworm@sha256:… RUNTIME_IMAGE=…@sha256:…

ARG GO_IMAGE=golang:1.26.8-bookworm
ARG RUNTIME_IMAGE=gcr.io/distroless/static-debian12:nonroot

FROM ${GO_IMAGE} AS build
WORKDIR /src
ENV CGO_ENABLED=0 GOTOOLCHAIN=local GOFLAGS=-trimpath
# Modules first, so that a source change does not download them again.
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download
COPY . .
ARG VERSION=dev
ARG COMMIT=
RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build \
    go build -ldflags "-s -w \
      -X github.com/newsflow/newsflow/internal/version.Version=${VERSION} \
      -X github.com/newsflow/newsflow/internal/version.Commit=${COMMIT}" \
      -o /out/newsflow ./cmd/newsflow \
 && /out/newsflow version \
 && mkdir -p /out/data

FROM ${RUNTIME_IMAGE}
ARG VERSION=dev
ARG COMMIT=
LABEL org.opencontainers.image.title="newsflow" \
      org.opencontainers.image.description="News-monitoring pipeline: fetch, clean, extract, store over NATS JetStream" \
      org.opencontainers.image.source="https://github.com/newsflow/newsflow" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${COMMIT}"
COPY --from=build /out/newsflow /usr/local/bin/newsflow
# The default topic's exemplar documents, for configs that name them by
# absolute path (the Kubernetes ConfigMap does).
COPY --from=build /src/topics /usr/share/newsflow/topics
# The data directory: embedded NATS and SQLite for `newsflow run`. On
# Kubernetes it is an emptyDir and the root filesystem is read-only.
COPY --from=build --chown=65532:65532 /out/data /data
ENV NEWSFLOW_DATA=/data
USER 65532:65532
EXPOSE 8080
VOLUME ["/data"]
ENTRYPOINT ["/usr/local/bin/newsflow"]
CMD ["run", "-http", "0.0.0.0:8080"]
