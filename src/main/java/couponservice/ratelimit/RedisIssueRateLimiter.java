package couponservice.ratelimit;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.StringCodec;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The issuance limit in Redis, shared by every node. A Lua script reads and updates users' windows atomically
 * on the Redis server's clock, so nodes with skewed clocks agree. Each user has one hash,
 * {@code <prefix>{<userId>}}, with the current hour and minute windows and their counts ({@code h}, {@code hc},
 * {@code m}, {@code mc}) and the end of a block ({@code b}, epoch ms). It expires when its last window or block
 * ends, and a check of a user reads it once and writes it at most once (three commands instead of one per
 * window key).
 *
 * <p>Checks are grouped the way the policy entity groups journal writes: checks that arrive while a script
 * call is in flight are decided together by the next call, one script run for all of them. A flash sale thus
 * costs Redis and this node one round trip per group instead of one per request. Within a group the script
 * decides users in arrival order, so two attempts of one user in one group see each other. One script run
 * touches the keys of many users, which needs a standalone Redis (the one of REDIS_HOST), not Redis Cluster.
 *
 * <p>One connection serves all checks: Lettuce connections are thread-safe and pipeline commands. Lettuce
 * reconnects by itself after an outage; while disconnected, commands are rejected at once rather than
 * buffered, so a degraded answer comes without waiting for the command timeout.
 */
public final class RedisIssueRateLimiter implements IssueRateLimiter {
  private static final Logger log = LoggerFactory.getLogger(RedisIssueRateLimiter.class);
  /** Bounds the first connection attempt, which the constructor waits for, and every reconnection attempt. */
  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);
  /** Between attempts when the first connection fails (afterwards, Lettuce's reconnection takes over). */
  private static final Duration CONNECT_RETRY_DELAY = Duration.ofSeconds(1);

  /**
   * {@link RateLimitRule#judge} on the server, for each user of a group in turn. KEYS: the users' hashes. ARGV:
   * per-minute, per-hour, block ms, minute ms, hour ms. Returns per user two numbers: {1, 0} when allowed,
   * {0, retry-after ms} when rejected. The windows come from the server's TIME. Needs Redis 5 or later
   * (effects replication).
   */
  static final String SCRIPT = """
      local perMinute, perHour, blockMs = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
      local minuteMs, hourMs = tonumber(ARGV[4]), tonumber(ARGV[5])
      local time = redis.call('TIME')
      local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
      local minute, hour = math.floor(now / minuteMs), math.floor(now / hourMs)
      local minuteEnd, hourEnd = (minute + 1) * minuteMs, (hour + 1) * hourMs
      local function judge(key)
        local window = redis.call('HMGET', key, 'b', 'h', 'hc', 'm', 'mc')
        local blockedUntil = tonumber(window[1]) or 0
        if blockedUntil > now then return 0, blockedUntil - now end
        local hourCount = tonumber(window[2]) == hour and tonumber(window[3]) or 0
        local minuteCount = tonumber(window[4]) == minute and tonumber(window[5]) or 0
        if hourCount >= perHour then
          local blockUntil = math.max(now + blockMs, hourEnd)
          redis.call('HSET', key, 'b', string.format('%d', blockUntil))
          redis.call('PEXPIREAT', key, string.format('%d', blockUntil))
          return 0, blockUntil - now
        end
        if minuteCount >= perMinute then return 0, minuteEnd - now end
        redis.call('HSET', key, 'h', string.format('%d', hour), 'hc', hourCount + 1,
          'm', string.format('%d', minute), 'mc', minuteCount + 1)
        redis.call('PEXPIREAT', key, string.format('%d', hourEnd))
        return 1, 0
      end
      local decisions = {}
      for i = 1, #KEYS do
        decisions[2 * i - 1], decisions[2 * i] = judge(KEYS[i])
      end
      return decisions
      """;
  /** Bounds a group, so that one script run holds Redis for well under a millisecond. */
  static final int MAX_CHECKS_PER_CALL = 256;
  private static final String SCRIPT_SHA = sha1Hex(SCRIPT);

  private final RedisClient client;
  private final RedisURI uri;
  private final String address;
  private final String keyPrefix;
  private final String[] ruleArgs;
  private final boolean failOpen;
  private final ThrottledWarning unavailable = new ThrottledWarning(log, Duration.ofMinutes(1));
  /** Set by a degraded decision, cleared (with an INFO) by the next answer from Redis. */
  private final AtomicBoolean degraded = new AtomicBoolean();
  /** Checks waiting for the next script call. */
  private final Queue<PendingCheck> waiting = new ConcurrentLinkedQueue<>();
  /** Whether a script call is in flight; only its completion, or the check that finds none, starts the next. */
  private final AtomicBoolean calling = new AtomicBoolean();
  /** Null until the first connection succeeds; from then on the same connection, reconnected by Lettuce. */
  private volatile RedisAsyncCommands<String, String> commands;
  private volatile boolean closed;

  /**
   * Waits for the first connection attempt. Credentials Redis refuses are a misconfiguration and throw; when
   * Redis cannot be reached, checks are degraded while the connection is retried.
   *
   * @throws RedisAccessDenied when Redis refuses the user name and password (or wants some and got none)
   */
  public RedisIssueRateLimiter(RateLimitSettings settings) {
    RateLimitRule rule = settings.rule();
    // The URI's timeout bounds the connection's handshake (HELLO, AUTH); commands have theirs from TimeoutOptions.
    // A handshake held to the command timeout (200 ms) failed on a busy start, and the node then started fail-open
    // instead of checking the credentials.
    RedisURI.Builder server = RedisURI.Builder.redis(settings.redisHost(), settings.redisPort())
        .withSsl(settings.redisTls())
        .withTimeout(CONNECT_TIMEOUT);
    if (!settings.redisPassword().isEmpty()) {
      char[] password = settings.redisPassword().value().toCharArray();
      server = settings.redisUsername().isEmpty()
          ? server.withPassword(password)
          : server.withAuthentication(settings.redisUsername(), password);
    }
    this.uri = server.build();
    this.address = settings.redisHost() + ":" + settings.redisPort();
    this.client = RedisClient.create();
    client.setOptions(ClientOptions.builder()
        .autoReconnect(true)
        .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
        .timeoutOptions(TimeoutOptions.enabled(settings.commandTimeout()))
        .socketOptions(SocketOptions.builder().connectTimeout(CONNECT_TIMEOUT).build())
        .build());
    this.keyPrefix = settings.keyPrefix();
    this.ruleArgs = new String[] {
        Integer.toString(rule.perMinute()), Integer.toString(rule.perHour()),
        Long.toString(rule.blockDuration().toMillis()),
        Long.toString(RateLimitRule.MINUTE_MILLIS), Long.toString(RateLimitRule.HOUR_MILLIS)};
    this.failOpen = settings.failOpen();
    Throwable failure = connectOnce().toCompletableFuture().join();
    if (failure != null && RedisAccessDenied.isRefusal(failure)) {
      close();
      throw new RedisAccessDenied(address, failure);
    }
    if (failure != null) {
      retryConnecting(failure);
    }
  }

  @Override
  public CompletionStage<RateLimitDecision> check(long userId) {
    if (commands == null) {
      return CompletableFuture.completedStage(fallBack(null));
    }
    PendingCheck check = new PendingCheck(userId, new CompletableFuture<>());
    waiting.add(check);
    callIfIdle();
    return check.decision();
  }

  private record PendingCheck(long userId, CompletableFuture<RateLimitDecision> decision) {}

  /** Sends the waiting checks in one script call unless a call is in flight (whose completion sends them). */
  private void callIfIdle() {
    // Re-checked after releasing the flag: a check queued just before the release must not be stranded.
    while (!waiting.isEmpty() && calling.compareAndSet(false, true)) {
      List<PendingCheck> group = new ArrayList<>();
      PendingCheck next;
      while (group.size() < MAX_CHECKS_PER_CALL && (next = waiting.poll()) != null) {
        group.add(next);
      }
      if (group.isEmpty()) {
        calling.set(false);
      } else {
        call(group).whenComplete((done, failure) -> {
          calling.set(false);
          callIfIdle();
        });
        return;
      }
    }
  }

  private CompletionStage<Void> call(List<PendingCheck> group) {
    RedisAsyncCommands<String, String> redis = commands;
    String[] keys = new String[group.size()];
    for (int i = 0; i < group.size(); i++) {
      keys[i] = keyPrefix + "{" + group.get(i).userId() + "}";
    }
    // EVALSHA spares sending the script each time; a Redis that lost its script cache (restart) gets it via EVAL.
    // Started inside a stage so that even a command that throws instead of failing its future answers the
    // group and lets the next call start; a throw here would otherwise leave every later check waiting.
    return CompletableFuture.completedStage(keys)
        .thenCompose(groupKeys -> redis.<List<Long>>evalsha(SCRIPT_SHA, ScriptOutputType.MULTI, groupKeys, ruleArgs))
        .exceptionallyCompose(failure -> unwrap(failure) instanceof RedisNoScriptException
            ? redis.eval(SCRIPT, ScriptOutputType.MULTI, keys, ruleArgs)
            : CompletableFuture.failedStage(failure))
        .handle((reply, failure) -> {
          for (int i = 0; i < group.size(); i++) {
            group.get(i).decision().complete(failure == null ? decision(reply, i) : fallBack(unwrap(failure)));
          }
          return null;
        });
  }

  @Override
  public void close() {
    closed = true;
    RedisAsyncCommands<String, String> redis = commands;
    if (redis != null) {
      redis.getStatefulConnection().close();
    }
    client.shutdown(Duration.ZERO, CONNECT_TIMEOUT);
  }

  /** One attempt at the first connection: completes with its failure, or null once connected. */
  private CompletionStage<Throwable> connectOnce() {
    return client.connectAsync(StringCodec.UTF8, uri).handle((connection, failure) -> {
      if (failure != null) {
        return unwrap(failure);
      }
      commands = connection.async();
      return null;
    });
  }

  /** Tries again after a delay, and so on until connected or closed (afterwards, Lettuce's reconnection takes over). */
  private void retryConnecting(Throwable failure) {
    if (closed) {
      return;
    }
    unavailable.warn(() -> "Cannot connect to Redis at " + address + " for issuance rate limiting, retrying: " + failure);
    CompletableFuture.delayedExecutor(CONNECT_RETRY_DELAY.toMillis(), TimeUnit.MILLISECONDS).execute(() -> {
      if (!closed) {
        connectOnce().thenAccept(next -> {
          if (next != null) {
            retryConnecting(next);
          }
        });
      }
    });
  }

  /** The decision for the {@code index}th check of a group. */
  private RateLimitDecision decision(List<Long> reply, int index) {
    if (degraded.get() && degraded.compareAndSet(true, false)) {
      log.info("Redis answers again: issuance rate limiting resumed");
    }
    return reply.get(2 * index) == 1 ? RateLimitDecision.ALLOWED : RateLimitDecision.rejectedFor(reply.get(2 * index + 1));
  }

  /** The decision when Redis did not answer: {@code failure} is null before the first connection. */
  private RateLimitDecision fallBack(Throwable failure) {
    degraded.set(true);
    unavailable.warn(() -> (failure == null ? "Not connected to Redis at " + address
        : "Redis at " + address + " failed: " + failure)
        + "; issuance rate limit checks are " + (failOpen ? "allowed (fail-open)" : "rejected (fail-closed)"));
    return RateLimitDecision.degraded(failOpen);
  }

  private static Throwable unwrap(Throwable failure) {
    return failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
  }

  private static String sha1Hex(String script) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-1").digest(script.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-1 is a required JDK algorithm", e);
    }
  }
}
