package couponservice.tools;

import couponservice.CouponException;
import couponservice.auth.Authenticator;
import couponservice.auth.Role;
import couponservice.auth.TokenMinter;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/**
 * Operator tool: prints a token signed with COUPON_AUTH_JWT_SECRET (the benchmarks mint theirs with it too):
 * {@code java -cp coupon-service.jar couponservice.tools.MintToken <subject> <ROLE[,ROLE]> [hours]}.
 */
public final class MintToken {
  private MintToken() {}

  public static void main(String[] args) {
    if (args.length < 2 || args.length > 3 || (args.length == 3 && !args[2].matches("[1-9][0-9]{0,5}"))) {
      fail("usage: MintToken <subject> <ROLE[,ROLE]> [hours]");
    }
    String secret = System.getenv("COUPON_AUTH_JWT_SECRET");
    if (secret == null) {
      fail("COUPON_AUTH_JWT_SECRET is not set");
    }
    long hours = args.length > 2 ? Long.parseLong(args[2]) : 1;
    try {
      List<Role> roles = Arrays.stream(args[1].split(",")).map(String::trim).map(Authenticator::parseRole).toList();
      System.out.println(new TokenMinter(secret).mint(args[0], roles, Duration.ofHours(hours)));
    } catch (CouponException | IllegalArgumentException e) { // an unknown role, a secret too short: one line, no trace
      fail(e.getMessage());
    }
  }

  private static void fail(String message) {
    System.err.println(message);
    System.exit(2);
  }
}
