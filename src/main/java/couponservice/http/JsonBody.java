package couponservice.http;

import couponservice.Json;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import couponservice.CouponException;
import couponservice.TextRules;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A request body read field by field, so that every refusal names the field: wrong types, missing
 * values and out-of-range numbers are all {@code VALIDATION_FAILED}. Unknown fields are ignored; a
 * JSON {@code null} counts as absent.
 */
public final class JsonBody {
  /** No fields: what an absent body of an operation with only optional fields reads as. */
  static final JsonBody EMPTY = new JsonBody(Json.MAPPER.createObjectNode());

  private final ObjectNode node;

  private JsonBody(ObjectNode node) {
    this.node = node;
  }

  public static JsonBody parse(byte[] bytes) {
    JsonNode node;
    try {
      node = Json.MAPPER.readTree(bytes);
    } catch (IOException e) {
      throw CouponException.invalid("the body is not valid JSON");
    }
    if (!(node instanceof ObjectNode object)) {
      throw CouponException.invalid("the body must be a JSON object");
    }
    return new JsonBody(object);
  }

  private JsonNode value(String field) {
    JsonNode value = node.get(field);
    return value == null || value.isNull() ? null : value;
  }

  private static CouponException wrongType(String field, String expected) {
    return CouponException.invalid(field + " must be " + expected);
  }

  /** A positive long id. */
  public long requiredId(String field) {
    Long id = optionalId(field);
    if (id == null) {
      throw CouponException.invalid(field + " is required");
    }
    return id;
  }

  public Long optionalId(String field) {
    Long value = optionalLong(field);
    if (value != null && value <= 0) {
      throw CouponException.invalid(field + " must be a positive id");
    }
    return value;
  }

  public Long optionalLong(String field) {
    JsonNode value = value(field);
    if (value == null) {
      return null;
    }
    if (!value.isIntegralNumber() || !value.canConvertToLong()) {
      throw wrongType(field, "an integer");
    }
    return value.longValue();
  }

  public Integer optionalInt(String field) {
    Long value = optionalLong(field);
    if (value != null && (value < Integer.MIN_VALUE || value > Integer.MAX_VALUE)) {
      throw CouponException.invalid(field + " is out of range");
    }
    return value == null ? null : value.intValue();
  }

  public long requiredLong(String field) {
    Long value = optionalLong(field);
    if (value == null) {
      throw CouponException.invalid(field + " is required");
    }
    return value;
  }

  public String optionalString(String field, int maxLength) {
    JsonNode value = value(field);
    if (value == null) {
      return null;
    }
    if (!value.isTextual()) {
      throw wrongType(field, "a string");
    }
    return TextRules.optionalText(field, value.textValue(), maxLength);
  }

  public String requiredString(String field, int maxLength) {
    return TextRules.requireText(field, optionalString(field, maxLength), maxLength);
  }

  public BigDecimal optionalDecimal(String field) {
    JsonNode value = value(field);
    if (value == null) {
      return null;
    }
    if (!value.isNumber()) {
      throw wrongType(field, "a number");
    }
    return value.decimalValue();
  }

  public <E extends Enum<E>> E optionalEnum(String field, Class<E> type) {
    String value = optionalString(field, 40);
    if (value == null) {
      return null;
    }
    try {
      return Enum.valueOf(type, value.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw CouponException.invalid(field + " has the unknown value " + value);
    }
  }

  public Instant optionalInstant(String field) {
    String value = optionalString(field, 40);
    if (value == null) {
      return null;
    }
    try {
      return Instant.parse(value);
    } catch (DateTimeParseException e) {
      throw wrongType(field, "an ISO-8601 UTC timestamp such as 2026-01-31T23:59:59Z");
    }
  }

  public Duration optionalDuration(String field) {
    String value = optionalString(field, 40);
    if (value == null) {
      return null;
    }
    try {
      return Duration.parse(value);
    } catch (DateTimeParseException e) {
      throw wrongType(field, "an ISO-8601 duration such as PT2H");
    }
  }

  /** A non-empty array of at most {@code maxSize} distinct positive ids. */
  public List<Long> requiredDistinctIds(String field, int maxSize) {
    JsonNode value = value(field);
    if (value == null) {
      throw CouponException.invalid(field + " is required");
    }
    if (!value.isArray()) {
      throw wrongType(field, "an array of user ids");
    }
    if (value.isEmpty() || value.size() > maxSize) {
      throw CouponException.invalid(field + " must hold 1 to " + maxSize + " ids");
    }
    List<Long> ids = new ArrayList<>(value.size());
    Set<Long> seen = new HashSet<>(value.size() * 2);
    for (JsonNode element : value) {
      if (!element.isIntegralNumber() || !element.canConvertToLong() || element.longValue() <= 0) {
        throw CouponException.invalid(field + " must hold positive integer ids only");
      }
      if (!seen.add(element.longValue())) {
        throw CouponException.invalid(field + " holds the id " + element.longValue() + " twice");
      }
      ids.add(element.longValue());
    }
    return ids;
  }
}
