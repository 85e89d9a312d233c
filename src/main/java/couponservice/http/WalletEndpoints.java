package couponservice.http;

import couponservice.CouponException;
import couponservice.coupon.CouponView;
import couponservice.readside.Page;
import couponservice.readside.WalletReadModel;
import couponservice.readside.WalletReadModel.Filter;
import couponservice.readside.WalletReadModel.Position;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.http.javadsl.model.HttpResponse;

/** The user's wallet: {@code /api/coupons/users/{userId}}, its expiring coupons and its statistics. */
public final class WalletEndpoints {
  private static final int DEFAULT_EXPIRING_LIMIT = 10;
  private static final int DEFAULT_EXPIRING_DAYS = 7;
  private static final int MAX_EXPIRING_DAYS = 365;

  private final HttpContext http;
  private final WalletReadModel wallet;

  public WalletEndpoints(HttpContext http, WalletReadModel wallet) {
    this.http = http;
    this.wallet = wallet;
  }

  public List<Endpoint> endpoints() {
    return List.of(
        Endpoint.get("/api/coupons/users/{userId}", this::list),
        Endpoint.get("/api/coupons/users/{userId}/expiring", this::expiring),
        Endpoint.get("/api/coupons/users/{userId}/statistics", this::statistics));
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

  /** The wallet's owner, if the caller may read it: the owning user, a service or an admin. */
  private static long owner(ApiRequest request) {
    long userId = request.id("userId");
    request.caller().requireOwnerServiceOrAdmin(userId);
    return userId;
  }

  private CompletionStage<HttpResponse> list(ApiRequest request) {
    long userId = owner(request);
    Filter filter = filterOf(request.query("status"));
    Position after = positionOf(request.query("cursor"));
    int limit = QueryParams.limit(request.query("limit"), QueryParams.DEFAULT_LIMIT);
    return http.query(() -> CouponPage.of(wallet.coupons(userId, filter, after, limit, http.clock().instant())));
  }

  private CompletionStage<HttpResponse> expiring(ApiRequest request) {
    long userId = owner(request);
    int days = QueryParams.integer("days", request.query("days"), DEFAULT_EXPIRING_DAYS, 1, MAX_EXPIRING_DAYS);
    int limit = QueryParams.limit(request.query("limit"), DEFAULT_EXPIRING_LIMIT);
    return http.query(() -> {
      Instant now = http.clock().instant();
      return new ExpiringCoupons(wallet.expiring(userId, now.plus(Duration.ofDays(days)), limit, now));
    });
  }

  private CompletionStage<HttpResponse> statistics(ApiRequest request) {
    long userId = owner(request);
    return http.query(() -> wallet.statistics(userId, http.clock().instant()));
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
