package couponservice.http;

import couponservice.metrics.RouteTemplates;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.http.javadsl.model.HttpMethods;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.Query;

/**
 * {@code GET /api/coupons/users/{userId}}, the wallet page every shopper opens, when its caller may read the
 * wallet and its status, cursor and limit are valid. Anything else is left to the routes.
 */
final class WalletShortcut extends RouteShortcut<WalletRoutes.Listing> {
  private static final String PREFIX = "/api/coupons/users/";

  private final WalletRoutes wallet;

  WalletShortcut(HttpContext http, WalletRoutes wallet) {
    super(http, HttpMethods.GET, RouteTemplates.WALLET);
    this.wallet = wallet;
  }

  @Override
  WalletRoutes.Listing accepted(HttpRequest request) {
    long userId = idIn(request.getUri().path(), PREFIX, "");
    if (userId == 0) {
      return null;
    }
    Query query = request.getUri().query();
    return wallet.listing(callerOf(request), userId,
        query.get("status"), query.get("cursor"), query.get("limit"));
  }

  @Override
  CompletionStage<HttpResponse> respond(WalletRoutes.Listing listing) {
    return wallet.list(listing);
  }
}
