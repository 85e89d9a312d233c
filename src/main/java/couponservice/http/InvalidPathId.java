package couponservice.http;

import org.apache.pekko.http.javadsl.server.CustomRejection;

/**
 * A path segment where an id belongs that is not a positive long. A rejection, not an error, so that a
 * literal route on the same path (e.g. {@code /api/coupons/download}) can still answer 405.
 */
record InvalidPathId(String name) implements CustomRejection {}
