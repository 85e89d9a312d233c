package couponservice.node;

import couponservice.RootCause;
import com.typesafe.config.Config;
import couponservice.StartupException;
import couponservice.auth.Authenticator;
import couponservice.auth.AuthSettings;
import couponservice.coupon.CouponSettings;
import couponservice.coupon.Coupons;
import couponservice.deadletter.DeadLetterOffice;
import couponservice.http.HttpApi;
import couponservice.jobs.IssuanceJobs;
import couponservice.jobs.JobSettings;
import couponservice.kafka.EmbeddedKafka;
import couponservice.kafka.KafkaSettings;
import couponservice.kafka.KafkaStreams;
import couponservice.kafka.Topics;
import couponservice.metrics.NodeMetrics;
import couponservice.operations.ApiReadiness;
import couponservice.operations.ClusterFormation;
import couponservice.operations.DatabaseReadiness;
import couponservice.policy.IssuedCoupons;
import couponservice.policy.Policies;
import couponservice.policy.CouponTagSlices;
import couponservice.policy.PolicySettings;
import couponservice.ratelimit.IssueRateLimiter;
import couponservice.ratelimit.RateLimitSettings;
import couponservice.readside.ReadModelDatabase;
import couponservice.readside.ReadSide;
import couponservice.stats.LiveStatistics;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running node of the service. It checks the configuration, opens the database and Kafka, starts the actor
 * system, and then starts the features in the order they depend on each other — each feature starts itself and
 * hands the next what it needs. {@link Main} starts one per JVM; tests start several.
 */
public final class ServiceNode implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ServiceNode.class);
  private static final Duration STARTUP_STEP_TIMEOUT = Duration.ofSeconds(30);

  private final ActorSystem<Void> system;
  private final ReadModelDatabase database;
  private final EmbeddedKafka devBroker;
  private final HttpApi http;
  private final AtomicBoolean released = new AtomicBoolean();

  private ServiceNode(ActorSystem<Void> system, ReadModelDatabase database, EmbeddedKafka devBroker, HttpApi http) {
    this.system = system;
    this.database = database;
    this.devBroker = devBroker;
    this.http = http;
  }

  public static ServiceNode start(Config config) throws StartupException {
    return start(config, Clock.systemUTC());
  }

  /** With the clock the entities and sweeps decide time by (tests move it to expire coupons). */
  public static ServiceNode start(Config config, Clock clock) throws StartupException {
    Settings settings = Settings.of(config);
    Authenticator authenticator = Authenticator.start(settings.auth(), clock);
    requirePortFree("HTTP", config.getString("coupon.http.interface"), config.getInt("coupon.http.port"));
    requirePortFree("cluster", config.getString("pekko.remote.artery.canonical.hostname"),
        config.getInt("pekko.remote.artery.canonical.port"));
    requirePortFree("management", config.getString("pekko.management.http.bind-hostname"),
        config.getInt("pekko.management.http.port"));
    ClusterFormation.method(config);
    createDataDirectory(config);
    ReadModelDatabase database = openDatabase(config);
    EmbeddedKafka devBroker = null;
    IssueRateLimiter rateLimiter = null;
    ActorSystem<Void> system = null;
    try {
      KafkaSettings kafka = settings.kafka();
      if (kafka.bootstrapServers().isEmpty()) {
        devBroker = startDevBroker(config, kafka);
        kafka = kafka.withBootstrapServers(devBroker.bootstrapServers());
      }
      ensureTopics(kafka);
      // Before the node joins the cluster: one that would leave again at once still moves shards around.
      rateLimiter = IssueRateLimiter.open(settings.rateLimit(), clock);
      system = startActorSystem(config);
      IssueRateLimiter.closeWith(system, rateLimiter);
      settings = settings.withCouponTags(ReadSide.createSchema(system, database, settings.coupons()));
      DatabaseReadiness.register(Adapter.toClassic(system), database);
      NodeMetrics.start(system, database.dataSource());
      await(ClusterFormation.start(system, config),
          "starting the management endpoint on port " + config.getInt("pekko.management.http.port"));
      HttpApi http = startFeatures(system, config, settings, authenticator, rateLimiter, kafka, database, clock);
      ServiceNode node = new ServiceNode(system, database, devBroker, http);
      CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseBeforeActorSystemTerminate(), "release-resources",
          () -> CompletableFuture.runAsync(node::releaseResources).thenApply(released -> Done.getInstance()));
      return node;
    } catch (StartupException e) {
      if (system != null) {
        system.terminate();
        awaitTermination(system);
      } else if (rateLimiter != null) {
        rateLimiter.close();
      }
      closeQuietly(devBroker);
      database.close();
      throw e;
    }
  }

  /** The features, each started with what the ones before it provide. */
  private static HttpApi startFeatures(ActorSystem<Void> system, Config config, Settings settings,
      Authenticator authenticator, IssueRateLimiter rateLimiter, KafkaSettings kafka, ReadModelDatabase database,
      Clock clock) throws StartupException {
    Executor blocking = system.dispatchers().lookup(DispatcherSelector.fromConfig("coupon.blocking-dispatcher"));
    Policies policies = Policies.start(system, settings.policies(), clock, settings.askTimeout());
    ReadSide readSide = ReadSide.start(system, database, settings.policies(), settings.coupons(), settings.jobs());
    IssuedCoupons issued = IssuedCoupons.inJournal(system, database.dataSource(), blocking);
    Coupons coupons = Coupons.start(system, settings.coupons(), clock, issued::termsOf, readSide.coupons(),
        settings.askTimeout(), blocking);
    IssuanceJobs jobs = IssuanceJobs.start(system, settings.jobs(), policies, clock, settings.askTimeout());
    KafkaStreams.start(system, kafka, database, settings.coupons(), policies, coupons,
        settings.askTimeout(), clock);
    DeadLetterOffice deadLetters = DeadLetterOffice.start(system, kafka, database, settings.askTimeout(), clock);
    LiveStatistics live = LiveStatistics.start(system, readSide.statistics(), readSide.jobs(), blocking,
        config.getDuration("coupon.statistics.live-interval"));
    HttpApi http = HttpApi.start(system, config, authenticator, clock, policies, coupons, jobs, readSide, live,
        rateLimiter, deadLetters);
    ApiReadiness.register(Adapter.toClassic(system), http.binding(), settings.drainDelay());
    return http;
  }

  /** Every setting read and checked before anything starts, so that a misconfiguration is one line. */
  private record Settings(AuthSettings auth, PolicySettings policies, CouponSettings coupons, JobSettings jobs,
      KafkaSettings kafka, RateLimitSettings rateLimit, Duration askTimeout, Duration drainDelay) {
    /** With the coupon slicing the database recorded, which policies and coupons tag their events by. */
    Settings withCouponTags(CouponTagSlices couponTags) {
      return new Settings(auth, policies.withCouponTags(couponTags), coupons.withCouponTags(couponTags), jobs, kafka,
          rateLimit, askTimeout, drainDelay);
    }

    static Settings of(Config config) throws StartupException {
      try {
        return new Settings(
            AuthSettings.fromConfig(config),
            PolicySettings.fromConfig(config), CouponSettings.fromConfig(config), JobSettings.fromConfig(config),
            KafkaSettings.fromConfig(config),
            RateLimitSettings.fromConfig(config), config.getDuration("coupon.http.ask-timeout"),
            ApiReadiness.drainDelay(config));
      } catch (IllegalArgumentException | com.typesafe.config.ConfigException e) {
        throw new StartupException(e.getMessage(), e);
      }
    }
  }

  private static ActorSystem<Void> startActorSystem(Config config) throws StartupException {
    try {
      return ActorSystem.create(Behaviors.empty(), ServiceConfig.SYSTEM_NAME, config);
    } catch (RuntimeException e) {
      throw new StartupException("cannot start the cluster node on "
          + config.getString("pekko.remote.artery.canonical.hostname") + ":"
          + config.getInt("pekko.remote.artery.canonical.port") + " (port in use?): "
          + RootCause.messageOf(e), e);
    }
  }

  /** The dev profile's in-process broker; the prod profile must be given KAFKA_BOOTSTRAP_SERVERS. */
  private static EmbeddedKafka startDevBroker(Config config, KafkaSettings kafka) throws StartupException {
    if (!config.getString("coupon.profile").equals("dev")) {
      throw new StartupException("KAFKA_BOOTSTRAP_SERVERS is required in the prod profile", null);
    }
    requirePortFree("the dev Kafka broker", "localhost", kafka.devBrokerPort());
    try {
      return EmbeddedKafka.start(kafka.devBrokerPort());
    } catch (Exception e) {
      throw new StartupException("cannot start the dev Kafka broker on port " + kafka.devBrokerPort() + ": "
          + RootCause.messageOf(e), e);
    }
  }

  private static void ensureTopics(KafkaSettings kafka) throws StartupException {
    try {
      Topics.ensure(kafka);
    } catch (Exception e) {
      throw new StartupException("cannot reach Kafka at " + kafka.bootstrapServers() + ": "
          + RootCause.messageOf(e), e);
    }
  }

  private static void closeQuietly(EmbeddedKafka broker) {
    if (broker != null) {
      try {
        broker.close();
      } catch (Exception e) {
        log.warn("The dev Kafka broker did not stop cleanly", e);
      }
    }
  }

  /** Fails fast with one line, before anything starts, when a configured port is taken. */
  private static void requirePortFree(String what, String host, int port) throws StartupException {
    if (port == 0) {
      return;
    }
    try (ServerSocket socket = new ServerSocket()) {
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress(host, port));
    } catch (IOException e) {
      throw new StartupException("cannot listen for " + what + " on " + host + ":" + port + ": " + e.getMessage(), e);
    }
  }

  private static void createDataDirectory(Config config) throws StartupException {
    if (config.hasPath("coupon.data-dir")) {
      Path dataDir = Path.of(config.getString("coupon.data-dir"));
      try {
        Files.createDirectories(dataDir);
      } catch (IOException e) {
        throw new StartupException("cannot create the data directory " + dataDir.toAbsolutePath() + ": " + e, e);
      }
    }
  }

  private static ReadModelDatabase openDatabase(Config config) throws StartupException {
    try {
      return ReadModelDatabase.open(config);
    } catch (RuntimeException e) {
      throw new StartupException("cannot reach the database at " + config.getString("coupon.database.url") + ": "
          + RootCause.messageOf(e), e);
    }
  }

  private static <T> T await(java.util.concurrent.CompletionStage<T> stage, String what) throws StartupException {
    try {
      return stage.toCompletableFuture().get(STARTUP_STEP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException | TimeoutException e) {
      throw new StartupException(what + " failed: " + RootCause.messageOf(e), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StartupException(what + " was interrupted", e);
    }
  }

  public ActorSystem<Void> system() {
    return system;
  }

  public int httpPort() {
    return http.binding().localAddress().getPort();
  }

  /** The route table of the node's HTTP API, as "METHOD template". */
  public List<String> routes() {
    return http.routes();
  }

  /** Leaves the cluster (shards handed off, in-flight requests answered) and releases the database. */
  @Override
  public void close() {
    system.terminate();
    awaitTermination(system);
    releaseResources();
  }

  /** The database pool and the dev broker: closed once the node's streams are done with them. */
  private void releaseResources() {
    if (released.compareAndSet(false, true)) {
      closeQuietly(devBroker);
      database.close();
    }
  }

  private static void awaitTermination(ActorSystem<?> system) {
    try {
      system.getWhenTerminated().toCompletableFuture().get(60, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      log.warn("Actor system did not terminate in time", e);
    }
  }
}
