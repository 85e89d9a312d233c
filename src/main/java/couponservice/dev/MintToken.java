package couponservice.dev;

import couponservice.auth.Authenticator;
import couponservice.auth.Role;
import couponservice.auth.TokenMinter;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/**
 * Prints a token signed with COUPON_AUTH_JWT_SECRET, for operators and the benchmarks:
 * {@code java -cp coupon-service.jar couponservice.dev.MintToken <subject> <ROLE[,ROLE]> [hours]}.
 */
public final class MintToken {
  private MintToken() {}

  public static void main(String[] args) {
    if (args.length < 2) {
      System.err.println("usage: MintToken <subject> <ROLE[,ROLE]> [hours]");
      System.exit(2);
    }
    String secret = System.getenv("COUPON_AUTH_JWT_SECRET");
    if (secret == null) {
      System.err.println("COUPON_AUTH_JWT_SECRET is not set");
      System.exit(2);
    }
    List<Role> roles = Arrays.stream(args[1].split(",")).map(String::trim).map(Authenticator::parseRole).toList();
    long hours = args.length > 2 ? Long.parseLong(args[2]) : 1;
    System.out.println(new TokenMinter(secret).mint(args[0], roles, Duration.ofHours(hours)));
  }
}
