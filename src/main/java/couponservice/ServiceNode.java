package couponservice;

import com.typesafe.config.Config;
import couponservice.auth.Authenticator;
import couponservice.auth.JwtVerifier;
import couponservice.coupon.Coupon;
import couponservice.coupon.CouponSettings;
import couponservice.coupon.CouponSweeper;
import couponservice.coupon.ReservationIndex;
import couponservice.coupon.ReservationLookup;
import couponservice.http.ApiRoutes;
import couponservice.kafka.EmbeddedKafka;
import couponservice.kafka.KafkaSettings;
import couponservice.kafka.KafkaStreams;
import couponservice.kafka.Topics;
import couponservice.http.CouponRoutes;
import couponservice.http.HttpContext;
import couponservice.http.IssuanceRoutes;
import couponservice.http.PolicyRoutes;
import couponservice.http.Responses;
import couponservice.http.StatisticsRoutes;
import couponservice.http.WalletRoutes;
import couponservice.issuance.CouponCodeDirectory;
import couponservice.operations.ClusterFormation;
import couponservice.operations.DatabaseReadiness;
import couponservice.policy.CouponIds;
import couponservice.policy.CouponPolicy;
import couponservice.policy.CouponTerms;
import couponservice.policy.DefinitionSource;
import couponservice.policy.PolicyRegistry;
import couponservice.policy.PolicySettings;
import couponservice.readside.CouponReadModel;
import couponservice.readside.CouponReadProjection;
import couponservice.readside.PolicyReadModel;
import couponservice.readside.PolicyReadProjection;
import couponservice.readside.ReadModelDatabase;
import couponservice.ratelimit.IssueRateLimiter;
import couponservice.ratelimit.RateLimitSettings;
import couponservice.ratelimit.RedisAccessDenied;
import couponservice.readside.ReadModelSchema;
import couponservice.readside.StatisticsReadModel;
import couponservice.readside.WalletReadModel;
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
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.persistence.jdbc.testkit.javadsl.SchemaUtils;
import org.apache.pekko.projection.jdbc.javadsl.JdbcProjection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running node of the service: actor system and cluster membership, schema, sharded entities,
 * projections and the HTTP API. {@link Main} starts one per JVM; tests start several.
 */
public final class ServiceNode implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ServiceNode.class);
  private static final Duration STARTUP_STEP_TIMEOUT = Duration.ofSeconds(30);

  private final ActorSystem<Void> system;
  private final ReadModelDatabase database;
  private final EmbeddedKafka devBroker;
  private final ServerBinding binding;
  private final AtomicBoolean released = new AtomicBoolean();

  private ServiceNode(ActorSystem<Void> system, ReadModelDatabase database, EmbeddedKafka devBroker,
      ServerBinding binding) {
    this.system = system;
    this.database = database;
    this.devBroker = devBroker;
    this.binding = binding;
  }

  public static ServiceNode start(Config config) throws StartupException {
    return start(config, Clock.systemUTC());
  }

  /** With the clock the entities and sweeps decide time by (tests move it to expire coupons). */
  public static ServiceNode start(Config config, Clock clock) throws StartupException {
    String authMode = config.getString("coupon.auth.mode");
    Authenticator authenticator;
    CouponSettings couponSettings;
    KafkaSettings kafka;
    try {
      authenticator = Authenticator.forMode(authMode, new JwtVerifier(config.getString("coupon.auth.jwt-secret"), clock,
          config.getInt("coupon.auth.verified-token-cache-size")));
      couponSettings = CouponSettings.fromConfig(config);
      kafka = KafkaSettings.fromConfig(config);
    } catch (IllegalArgumentException | com.typesafe.config.ConfigException e) {
      throw new StartupException(e.getMessage(), e);
    }
    requirePortFree("HTTP", config.getString("coupon.http.interface"), config.getInt("coupon.http.port"));
    requirePortFree("cluster", config.getString("pekko.remote.artery.canonical.hostname"),
        config.getInt("pekko.remote.artery.canonical.port"));
    requirePortFree("management", config.getString("pekko.management.http.bind-hostname"),
        config.getInt("pekko.management.http.port"));
    ClusterFormation.method(config);
    createDataDirectory(config);
    ReadModelDatabase database = openDatabase(config);
    EmbeddedKafka devBroker = null;
    IssueRateLimiter limiter = null;
    ActorSystem<Void> system = null;
    try {
      if (kafka.bootstrapServers().isEmpty()) {
        devBroker = startDevBroker(config, kafka);
        kafka = kafka.withBootstrapServers(devBroker.bootstrapServers());
      }
      ensureTopics(kafka);
      // Before the node joins the cluster: one that would leave again at once still moves shards around.
      limiter = rateLimiter(config, clock);
      system = startActorSystem(config);
      closeWithNode(system, limiter);
      createSchema(system, config, database);
      DatabaseReadiness.register(Adapter.toClassic(system), database);
      await(ClusterFormation.start(system, config),
          "starting the management endpoint on port " + config.getInt("pekko.management.http.port"));
      ServerBinding binding =
          startServices(system, config, database, authenticator, couponSettings, kafka, limiter, clock);
      ServiceNode node = new ServiceNode(system, database, devBroker, binding);
      CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseBeforeActorSystemTerminate(), "release-resources",
          () -> CompletableFuture.runAsync(node::releaseResources).thenApply(released -> Done.getInstance()));
      return node;
    } catch (StartupException e) {
      if (system != null) {
        system.terminate();
        awaitTermination(system);
      } else if (limiter != null) {
        limiter.close();
      }
      closeQuietly(devBroker);
      database.close();
      throw e;
    }
  }

  private static ActorSystem<Void> startActorSystem(Config config) throws StartupException {
    try {
      return ActorSystem.create(Behaviors.empty(), ServiceConfig.SYSTEM_NAME, config);
    } catch (RuntimeException e) {
      throw new StartupException("cannot start the cluster node on "
          + config.getString("pekko.remote.artery.canonical.hostname") + ":"
          + config.getInt("pekko.remote.artery.canonical.port") + " (port in use?): " + rootMessage(e), e);
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
          + rootMessage(e), e);
    }
  }

  private static void ensureTopics(KafkaSettings kafka) throws StartupException {
    try {
      Topics.ensure(kafka);
    } catch (Exception e) {
      throw new StartupException("cannot reach Kafka at " + kafka.bootstrapServers() + ": " + rootMessage(e), e);
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
          + rootMessage(e), e);
    }
  }

  /**
   * The journal, read-model and projection tables, created where missing, one node at a time. What exists
   * is left alone: a node starting beside running ones must not lock the tables they write.
   */
  private static void createSchema(ActorSystem<?> system, Config config, ReadModelDatabase database)
      throws StartupException {
    try (ReadModelDatabase.SchemaLock lock = database.schemaLock()) {
      if (!database.missingRelations(ReadModelSchema.JOURNAL_RELATIONS).isEmpty()) {
        await(SchemaUtils.createIfNotExists("coupon.journal-schema", system), "creating the journal tables");
      }
      ReadModelSchema.adjustJournalTables(database);
      ReadModelSchema.createIfMissing(database);
      if (!database.missingRelations(ReadModelSchema.PROJECTION_RELATIONS).isEmpty()) {
        await(JdbcProjection.createTablesIfNotExists(database::openSession, system), "creating the projection tables");
      }
    } catch (java.sql.SQLException e) {
      throw new StartupException("cannot create the tables at " + config.getString("coupon.database.url") + ": "
          + rootMessage(e), e);
    }
  }

  private static ServerBinding startServices(ActorSystem<Void> system, Config config, ReadModelDatabase database,
      Authenticator authenticator, CouponSettings couponSettings, KafkaSettings kafka, IssueRateLimiter limiter,
      Clock clock) throws StartupException {
    ClusterSharding sharding = ClusterSharding.get(system);
    Duration askTimeout = config.getDuration("coupon.http.ask-timeout");
    PolicySettings policySettings = PolicySettings.fromConfig(config);

    Executor blocking = system.dispatchers().lookup(DispatcherSelector.fromConfig("coupon.blocking-dispatcher"));
    Executor callbacks = system.executionContext();
    // Entities pipe these answers to themselves: Scala-backed CompletionStages would run that callback on
    // the common pool, so each answer is first moved onto the dispatcher.
    PolicyRegistry.init(sharding, clock);
    DefinitionSource definitions = policyId -> sharding
        .entityRefFor(PolicyRegistry.ENTITY_KEY, PolicyRegistry.ENTITY_ID)
        .<Outcome<PolicyRegistry.Registration>>ask(replyTo -> new PolicyRegistry.Lookup(policyId, replyTo), askTimeout)
        .thenApplyAsync(answer -> answer, callbacks);
    CouponPolicy.init(sharding, definitions, clock, policySettings);
    PolicyReadProjection.init(system, database, policySettings);

    ReservationIndex.init(sharding, clock, couponSettings.reservationIndexRetention());
    Coupon.TermsSource terms = couponId -> sharding
        .entityRefFor(CouponPolicy.ENTITY_KEY, Long.toString(CouponIds.policyIdOf(couponId)))
        .<Outcome<CouponTerms>>ask(replyTo -> new CouponPolicy.GetCouponTerms(couponId, replyTo), askTimeout)
        .thenApplyAsync(answer -> answer, callbacks);
    Coupon.ReservationClaims claims = (reservationId, couponId) -> sharding
        .entityRefFor(ReservationIndex.ENTITY_KEY,
            ReservationIndex.sliceOf(reservationId, couponSettings.reservationIndexSlices()))
        .<Outcome<Long>>ask(replyTo -> new ReservationIndex.Claim(reservationId, couponId, replyTo), askTimeout)
        .thenApplyAsync(answer -> answer, callbacks);
    Coupon.init(system, terms, claims, clock, couponSettings);
    CouponReadProjection.init(system, database, couponSettings);
    CouponReadModel couponReadModel = new CouponReadModel(database);
    CouponSweeper.init(system, couponReadModel, clock, couponSettings, blocking);
    ReservationLookup reservations = new ReservationLookup(sharding, couponReadModel,
        couponSettings.reservationIndexSlices(), askTimeout, callbacks, blocking);
    KafkaStreams.start(system, kafka, database, policySettings, couponSettings, reservations, terms, definitions,
        askTimeout);

    HttpContext http = new HttpContext(sharding, authenticator, new Responses(clock), askTimeout,
        config.getBytes("coupon.http.max-body-bytes"), callbacks, blocking);
    StatisticsReadModel statistics = new StatisticsReadModel(database);
    LiveStatistics live = LiveStatistics.start(system, statistics, blocking,
        config.getDuration("coupon.statistics.live-interval"));
    IssuanceRoutes issuance = new IssuanceRoutes(http, new CouponCodeDirectory(sharding, askTimeout, callbacks),
        limiter, clock);
    ApiRoutes api = new ApiRoutes(http, issuance, new WalletRoutes(http, new WalletReadModel(database), clock), List.of(
        new CouponRoutes(http, reservations).route(),
        new PolicyRoutes(http, new PolicyReadModel(database), statistics).route(),
        new StatisticsRoutes(http, statistics, live).route()));

    String host = config.getString("coupon.http.interface");
    int port = config.getInt("coupon.http.port");
    try {
      ServerBinding binding = await(Http.get(system).newServerAt(host, port).bind(api.handler(system)), "binding HTTP");
      binding.addToCoordinatedShutdown(Duration.ofSeconds(10), system);
      return binding;
    } catch (StartupException e) {
      throw new StartupException("cannot listen for HTTP on " + host + ":" + port + " (port in use?)", e);
    }
  }

  /** The issuance rate limiter; Redis refusing its credentials stops startup. */
  private static IssueRateLimiter rateLimiter(Config config, Clock clock) throws StartupException {
    try {
      return IssueRateLimiter.create(RateLimitSettings.fromConfig(config), clock);
    } catch (RedisAccessDenied e) {
      throw new StartupException(e.getMessage(), e);
    }
  }

  /** Closes the rate limiter when the node has stopped serving requests. */
  private static void closeWithNode(ActorSystem<?> system, IssueRateLimiter limiter) {
    CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseBeforeActorSystemTerminate(), "close-rate-limiter",
        () -> CompletableFuture.supplyAsync(() -> {
          limiter.close();
          return Done.getInstance();
        }));
  }

  private static <T> T await(CompletionStage<T> stage, String what) throws StartupException {
    try {
      return stage.toCompletableFuture().get(STARTUP_STEP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException | TimeoutException e) {
      throw new StartupException(what + " failed: " + rootMessage(e), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StartupException(what + " was interrupted", e);
    }
  }

  static String rootMessage(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
  }

  public ActorSystem<Void> system() {
    return system;
  }

  public int httpPort() {
    return binding.localAddress().getPort();
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
