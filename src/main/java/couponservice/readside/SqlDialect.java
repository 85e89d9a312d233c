package couponservice.readside;

/** The two databases the read model runs on: PostgreSQL (prod) and H2 (dev). */
public enum SqlDialect {
  POSTGRES,
  H2;

  public static SqlDialect ofJdbcUrl(String url) {
    if (url.startsWith("jdbc:postgresql:")) {
      return POSTGRES;
    }
    if (url.startsWith("jdbc:h2:")) {
      return H2;
    }
    throw new IllegalArgumentException("unsupported database URL " + url);
  }

  /** H2 has no partial indexes; there the {@code WHERE} clause of an index is dropped. */
  public String partialIndex(String createIndex, String where) {
    return this == POSTGRES ? createIndex + " WHERE " + where : createIndex;
  }
}
