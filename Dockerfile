# Build: the release binary. Run: a slim image with libpq and nothing else.
FROM rust:1-bookworm AS build
WORKDIR /src
COPY Cargo.toml Cargo.lock build.rs ./
# jemalloc's settings are read from here when it builds.
COPY .cargo .cargo
COPY src src
COPY migrations migrations
# Cargo.toml names the benches and tests; cargo wants their files present to read it.
COPY benches benches
COPY tests tests
RUN cargo build --release --locked

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpq5 ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && mkdir -p /data/media /data/search && chown -R 65534:65534 /data
COPY --from=build /src/target/release/masthead /usr/local/bin/masthead
USER 65534:65534
# Masthead's own memory is jemalloc's (.cargo/config.toml); these settings are for what the C
# libraries allocate through glibc (libwebp's encoder, libpq). Two malloc arenas: each blocking
# thread otherwise keeps an arena of its own; fixed mmap and trim thresholds: large buffers go
# back to the system when freed.
ENV MASTHEAD_BIND=0.0.0.0:8080 \
    MASTHEAD_MEDIA_DIR=/data/media \
    MASTHEAD_SEARCH_DIR=/data/search \
    MALLOC_ARENA_MAX=2 \
    MALLOC_MMAP_THRESHOLD_=131072 \
    MALLOC_TRIM_THRESHOLD_=131072
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s CMD ["/bin/sh", "-c", "exec 3<>/dev/tcp/127.0.0.1/8080"]
ENTRYPOINT ["masthead"]
CMD ["serve"]
