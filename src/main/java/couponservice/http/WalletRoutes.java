package couponservice.http;

import couponservice.CouponException;
import couponservice.auth.Caller;
import couponservice.coupon.CouponView;
import couponservice.readside.Page;
import couponservice.readside.WalletReadModel;
import couponservice.readside.WalletReadModel.Filter;
import couponservice.readside.WalletReadModel.Position;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.server.Route;

/** The user's wallet: {@code /api/coupons/users/{userId}}, its expiring coupons and its statistics. */
public final class WalletRoutes extends ApiDirectives {
  private static final int DEFAULT_EXPIRING_LIMIT = 10;
  private static final int DEFAULT_EXPIRING_DAYS = 7;
  private static final int MAX_EXPIRING_DAYS = 365;

  private final WalletReadModel wallet;
  private final Clock clock;

  public WalletRoutes(HttpContext http, WalletReadModel wallet, Clock clock) {
    super(http);
    this.wallet = wallet;
    this.clock = clock;
  }

  /** The body of the wallet listing. */
  record CouponPage(List<CouponView> coupons, String nextCursor, boolean hasMore) {
    static CouponPage of(Page<CouponView> page) {
      String next = page.hasMore()
          ? QueryParams.encodeCursor(page.last().issuedAt() + "|" + page.last().couponId())
          : null;
      return new CouponPage(page.items(), next, page.hasMore());
    }
  }

  record ExpiringCoupons(List<CouponView> coupons) {}

  /** A wallet listing its caller may read, with its parameters parsed. */
  record Listing(long userId, Filter filter, Position after, int limit) {}

  public Route route() {
    return pathPrefix("coupons", () -> pathPrefix("users", () -> pathId("userId", userId ->
        get(() -> authenticated(caller -> concat(
            pathEnd(() -> parameterOptional("status", status -> parameterOptional("cursor", cursor ->
                parameterOptional("limit", limit -> completeWithFuture(list(listing(caller, userId, status, cursor,
                    limit))))))),
            owned(caller, userId, () -> concat(
                path("expiring", () -> parameterOptional("days", days ->
                    parameterOptional("limit", limit -> expiring(userId, days, limit)))),
                path("statistics", () -> query(() -> wallet.statistics(userId, clock.instant())))))))))));
  }

  private Route owned(Caller caller, long userId, Supplier<Route> inner) {
    caller.requireOwnerServiceOrAdmin(userId);
    return inner.get();
  }

  /** Checks the caller and the parameters of a listing; a {@link CouponException} when they fail. */
  Listing listing(Caller caller, long userId, Optional<String> status, Optional<String> cursor,
      Optional<String> limit) {
    caller.requireOwnerServiceOrAdmin(userId);
    return new Listing(userId, filterOf(status), positionOf(cursor), QueryParams.limit(limit, QueryParams.DEFAULT_LIMIT));
  }

  CompletionStage<HttpResponse> list(Listing listing) {
    return queryResponse(() -> CouponPage.of(wallet.coupons(listing.userId(), listing.filter(), listing.after(),
        listing.limit(), clock.instant())));
  }

  private Route expiring(long userId, Optional<String> daysParam, Optional<String> limitParam) {
    int days = QueryParams.integer("days", daysParam, DEFAULT_EXPIRING_DAYS, 1, MAX_EXPIRING_DAYS);
    int limit = QueryParams.limit(limitParam, DEFAULT_EXPIRING_LIMIT);
    return query(() -> {
      Instant now = clock.instant();
      return new ExpiringCoupons(wallet.expiring(userId, now.plus(Duration.ofDays(days)), limit, now));
    });
  }

  private static Filter filterOf(Optional<String> status) {
    if (status.isEmpty() || status.get().isEmpty()) {
      return Filter.ALL;
    }
    try {
      Filter filter = Filter.valueOf(status.get());
      if (filter != Filter.ALL) {
        return filter;
      }
    } catch (IllegalArgumentException e) {
      // answered below
    }
    throw CouponException.invalid("status must be one of AVAILABLE, UNUSED, USED, EXPIRED");
  }

  private static Position positionOf(Optional<String> cursor) {
    if (cursor.isEmpty() || cursor.get().isEmpty()) {
      return null;
    }
    String[] parts = QueryParams.decodeCursor(cursor.get()).split("\\|", 2);
    try {
      if (parts.length == 2) {
        return new Position(Instant.parse(parts[0]), Long.parseLong(parts[1]));
      }
    } catch (DateTimeParseException | NumberFormatException e) {
      // answered below
    }
    throw CouponException.invalid("cursor is not a cursor returned by this API");
  }
}
