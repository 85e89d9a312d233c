# coupon-service image: the fat jar on a JRE, prod profile by default.
#
#   docker build -t coupon-service:local .
#   docker run --rm -p 8080:8080 -e DATABASE_HOST=... -e COUPON_AUTH_JWT_SECRET=... coupon-service:local
#
# See docs/deploying.md for the environment variables and docker-compose.yml for a 3-node cluster.

# ---------------------------------------------------------------------------------------------------
# Build stage: the Maven wrapper downloads Maven and the dependencies once (cached layer as long as
# pom.xml and the wrapper do not change), then compiles and shades target/coupon-service.jar.
# ---------------------------------------------------------------------------------------------------
FROM eclipse-temurin:17-jdk AS build
WORKDIR /build

COPY .mvn/ .mvn/
COPY mvnw pom.xml ./
# chmod: the executable bit can be lost on checkouts made on Windows.
RUN chmod +x mvnw && ./mvnw -B -q dependency:go-offline

COPY src/ src/
# conf/ (dev.conf, prod.conf, logback.xml) is a resource directory in pom.xml: it ends up on the
# classpath inside the jar, so the runtime stage needs nothing but the jar.
COPY conf/ conf/
RUN ./mvnw -B package -DskipTests

# ---------------------------------------------------------------------------------------------------
# Runtime stage: Java 25, which runs the Java 17 jar with less CPU per coupon and per payment than
# Java 17 did on the benchmark machine (bench/README.md, "Java 25").
# ---------------------------------------------------------------------------------------------------
FROM eclipse-temurin:25-jre

# curl is used by the compose healthcheck (and is handy for kubectl exec). The Ubuntu-based Temurin
# images currently ship it; install it only if a future base image drops it.
# The service runs as an unprivileged user with a fixed numeric id (runAsNonRoot can verify it).
RUN set -eux; \
    if ! command -v curl >/dev/null 2>&1; then \
      apt-get update; \
      DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends curl; \
      rm -rf /var/lib/apt/lists/*; \
    fi; \
    groupadd --system --gid 10001 coupon; \
    useradd --system --uid 10001 --gid coupon --home-dir /app --no-create-home \
      --shell /usr/sbin/nologin coupon; \
    mkdir -p /app/data; \
    chown coupon:coupon /app/data

WORKDIR /app
COPY --from=build /build/target/coupon-service.jar /app/coupon-service.jar

# Defaults; every one of them can be overridden at run time (docs/deploying.md lists the rest).
# /app/data is only used by the dev profile (H2 files under ./data).
ENV COUPON_PROFILE=prod \
    COUPON_HTTP_PORT=8080 \
    COUPON_MANAGEMENT_PORT=8558 \
    COUPON_REMOTE_PORT=2551

# Memory: the budget of docs/deploying.md ("Memory budget"), for the 1.5 GiB limit of docker-compose.yml and
# k8s/deployment.yaml (measured: 1.07 GB peak RSS under load). Half the container's limit is heap, ParallelGC (the
# benchmarks' collector; without it the JVM picks SerialGC below 2 CPUs or 1792 MiB), committed and touched at
# start so that no young pause takes page faults in a sale (bench/README.md: "Pre-touched heap"), on transparent
# huge pages where the kernel gives them on request (bench/README.md: "Transparent huge pages"). The other half
# holds what grows outside the heap, each part capped so that together they stay below the limit: compiled code
# (128 MiB reserved, ~40 MiB used after a warm-up), class metadata (160 MiB, ~110 used), direct buffers (64 MiB,
# ~5 used), thread stacks, GC structures and the JVM's own. A node that runs out of memory exits (and is restarted
# by the orchestrator) instead of limping on. Overriding JAVA_TOOL_OPTIONS replaces the whole value, so repeat these
# flags when adding others; with a limit below 1 GiB lower the caps too (docs/deploying.md).
ENV JAVA_TOOL_OPTIONS="-XX:+UseParallelGC -XX:MaxRAMPercentage=50 -XX:InitialRAMPercentage=50 -XX:+AlwaysPreTouch -XX:+UseTransparentHugePages -XX:ReservedCodeCacheSize=128m -XX:MaxMetaspaceSize=160m -XX:MaxDirectMemorySize=64m -XX:+ExitOnOutOfMemoryError"
# Options of this runtime (Java 25): Pekko uses sun.misc.Unsafe and Netty native access, which Java 24 and
# later warn about unless allowed, and compact object headers made the many small objects of a request
# smaller (+14% issues/s at 1,000 connections, bench/README.md "Java 25").
ENV JDK_JAVA_OPTIONS="--enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow -XX:+UseCompactObjectHeaders"

USER 10001:10001

# 8080 HTTP API (/health, /metrics, /api/...), 8558 management (/alive, /ready, /cluster/members),
# 2551 Pekko remoting (cluster traffic between nodes).
EXPOSE 8080 8558 2551

# SIGTERM starts Pekko's coordinated shutdown (graceful leave, shard hand-off, in-flight requests
# answered, Kafka offsets committed). Exec form: java is PID 1 and receives the signal itself.
STOPSIGNAL SIGTERM
ENTRYPOINT ["java", "-jar", "/app/coupon-service.jar"]
