# syntax=docker/dockerfile:1
#
#   docker build -t xfbot .
#   docker run --env-file /etc/xfbot/env -v /etc/xfbot/config.yaml:/etc/xfbot/config.yaml:ro \
#     -p 8080:8080 xfbot serve -config /etc/xfbot/config.yaml
#
# With no config file the bot runs on defaults plus XFBOT_* variables
# (config.example.yaml lists them all). Secrets belong in the environment,
# never in the image.

FROM golang:1.26 AS build
WORKDIR /src
# Modules first, so that editing the code does not re-download them.
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download
COPY . .
# Static binary: the runtime image has no libc.
RUN --mount=type=cache,target=/go/pkg/mod \
    --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 go build -trimpath -o /xfbot ./cmd/xfbot

# distroless/static carries CA certificates (for open.feishu.cn) and tzdata
# (Asia/Shanghai; the binary also embeds time/tzdata as a fall-back), no shell,
# and a nonroot user (uid 65532).
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /xfbot /xfbot
COPY config.example.yaml /etc/xfbot/config.example.yaml
# Only for log timestamps; the bot's own clock is the timezone key.
ENV TZ=Asia/Shanghai
USER nonroot:nonroot
EXPOSE 8080
ENTRYPOINT ["/xfbot"]
CMD ["serve"]
