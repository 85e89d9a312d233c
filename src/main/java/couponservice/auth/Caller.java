package couponservice.auth;

import couponservice.CouponException;
import couponservice.ErrorCode;
import java.util.Set;

/**
 * Who is calling, as established by the token or the gateway. {@code userId} is the subject of a USER
 * caller (a positive long); other callers may have any name.
 */
public record Caller(String subject, Set<Role> roles, Long userId) {

  public boolean has(Role role) {
    return roles.contains(role);
  }

  public void requireAdmin() {
    if (!has(Role.ADMIN)) {
      throw forbidden("this operation needs the ADMIN role");
    }
  }

  /** Issuance: the user itself or an admin. */
  public void requireSelfOrAdmin(long targetUserId) {
    if (!has(Role.ADMIN) && !isUser(targetUserId)) {
      throw forbidden("a user may only act for itself");
    }
  }

  /** Coupon use and wallet queries: the owning user, a service or an admin. */
  public void requireOwnerServiceOrAdmin(long ownerUserId) {
    if (!has(Role.ADMIN) && !has(Role.SERVICE) && !isUser(ownerUserId)) {
      throw forbidden("a user may only act for itself");
    }
  }

  /** Confirm and cancel: services and admins. */
  public void requireServiceOrAdmin() {
    if (!has(Role.ADMIN) && !has(Role.SERVICE)) {
      throw forbidden("this operation needs the SERVICE or ADMIN role");
    }
  }

  /** The user this caller acts as when it is a plain user; null for services and admins, who act for anyone. */
  public Long actingUserId() {
    return has(Role.ADMIN) || has(Role.SERVICE) ? null : userId;
  }

  private boolean isUser(long targetUserId) {
    return has(Role.USER) && userId != null && userId == targetUserId;
  }

  private static CouponException forbidden(String message) {
    return new CouponException(ErrorCode.FORBIDDEN, message);
  }
}
