# Handover: build the release binary, then run it from a small image.
# Images are pinned to a Rust release and a Debian release; bump them
# together with rust-version in Cargo.toml.
# CI has no Docker daemon: scripts/check-docker-context.sh builds exactly the
# files copied below, so a missing one fails there first.
FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY Cargo.toml Cargo.lock build.rs ./
COPY src src
COPY migrations migrations
COPY config config
# The binary carries line tables for profiling; the image does not need them
# (about 144 MB → 29 MB).
RUN cargo build --release --locked --bin handover \
 && strip target/release/handover

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --create-home --home-dir /var/lib/handover handover
COPY --from=build /src/target/release/handover /usr/local/bin/handover
# The binary reads config/$HANDOVER_ENV.toml relative to its working directory.
COPY config /var/lib/handover/config
WORKDIR /var/lib/handover
USER handover
ENV HANDOVER__SERVER__BIND=0.0.0.0:8080 \
    HANDOVER__DEMO__SEED_ON_START=false \
    HANDOVER__LOG__FORMAT=json
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=5s --retries=5 CMD ["handover", "healthcheck"]
ENTRYPOINT ["handover"]
CMD ["serve"]
