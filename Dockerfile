# Handover: build the release binary, then run it from a small image.
FROM rust:1-bookworm AS build
WORKDIR /src
COPY Cargo.toml Cargo.lock ./
COPY src src
COPY migrations migrations
COPY config config
RUN cargo build --release --locked

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
ENV HANDOVER__SERVER__BIND=0.0.0.0:8080
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=5s --retries=5 CMD ["handover", "healthcheck"]
ENTRYPOINT ["handover"]
CMD ["serve"]
