package couponservice.http;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import couponservice.CouponException;
import couponservice.Json;
import couponservice.TextRules;
import couponservice.jobs.JobSubmission;
import couponservice.jobs.UserIdList;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * The user list of {@code POST /api/issuance-jobs}, read from a JSON body or a CSV file. Up to a million ids (8 MB),
 * so both are read token by token (no JSON tree, no string per CSV line); the rules on the ids are
 * {@link UserIdList}'s, and each refusal names the index or line it is about.
 */
final class JobRequestBody {
  private JobRequestBody() {}

  /**
   * {@code { "couponPolicyId", "userIds", "issuedBy", "name" }}; unknown fields are ignored and {@code null} counts as
   * absent, as in every JSON body of the API.
   */
  static JobSubmission json(byte[] body) {
    try (JsonParser parser = Json.MAPPER.createParser(body)) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        throw CouponException.invalid("the body must be a JSON object");
      }
      long policyId = 0;
      long[] userIds = null;
      String name = null;
      String issuedBy = null;
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        String field = parser.currentName();
        JsonToken value = parser.nextToken();
        if (value == JsonToken.VALUE_NULL) {
          continue;
        }
        switch (field) {
          case "couponPolicyId" -> policyId = positiveId(parser, value);
          case "userIds" -> userIds = userIds(parser, value);
          case "name" -> name = text(parser, value, "name", JobSubmission.MAX_NAME);
          case "issuedBy" -> issuedBy = text(parser, value, "issuedBy", JobSubmission.MAX_ISSUED_BY);
          default -> parser.skipChildren();
        }
      }
      if (parser.nextToken() != null) {
        throw CouponException.invalid("the body is not valid JSON");
      }
      if (policyId == 0) {
        throw CouponException.invalid("couponPolicyId is required");
      }
      if (userIds == null) {
        throw CouponException.invalid("userIds is required");
      }
      return new JobSubmission(policyId, name, issuedBy, userIds);
    } catch (IOException e) {
      throw CouponException.invalid("the body is not valid JSON");
    }
  }

  private static long positiveId(JsonParser parser, JsonToken value) throws IOException {
    if (value != JsonToken.VALUE_NUMBER_INT || parser.getNumberType() == JsonParser.NumberType.BIG_INTEGER
        || parser.getLongValue() <= 0) {
      throw CouponException.invalid("couponPolicyId must be a positive id");
    }
    return parser.getLongValue();
  }

  private static String text(JsonParser parser, JsonToken value, String field, int maxLength) throws IOException {
    if (value != JsonToken.VALUE_STRING) {
      throw CouponException.invalid(field + " must be a string");
    }
    return TextRules.optionalText(field, parser.getText(), maxLength);
  }

  private static long[] userIds(JsonParser parser, JsonToken value) throws IOException {
    UserIdList users = new UserIdList(index -> "userIds[" + index + "]",
        "userIds must hold 1 to " + UserIdList.MAX_USERS + " ids");
    if (value != JsonToken.START_ARRAY) {
      throw CouponException.invalid("userIds must be an array of user ids");
    }
    int index = 0;
    for (JsonToken element = parser.nextToken(); element != JsonToken.END_ARRAY; element = parser.nextToken()) {
      if (element != JsonToken.VALUE_NUMBER_INT || parser.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
        throw users.invalidAt(index);
      }
      users.add(parser.getLongValue(), index++);
    }
    return users.ids();
  }

  /**
   * One user id per line (LF or CRLF), an optional first line {@code userId}; blank lines are skipped. A line is
   * digits alone, with spaces or tabs around them.
   */
  static long[] csv(byte[] body) {
    UserIdList users = new UserIdList(line -> "line " + line, "the CSV file holds no user id");
    int start = startsWithByteOrderMark(body) ? 3 : 0;
    int line = 0;
    while (start < body.length) {
      int end = start;
      while (end < body.length && body[end] != '\n') {
        end++;
      }
      line++;
      int from = start;
      int to = end;
      while (from < to && isBlank(body[from])) {
        from++;
      }
      while (to > from && isBlank(body[to - 1])) {
        to--;
      }
      if (from < to && !(line == 1 && isHeader(body, from, to))) {
        users.add(userId(body, from, to, users, line), line);
      }
      start = end + 1;
    }
    return users.ids();
  }

  private static boolean startsWithByteOrderMark(byte[] body) {
    return body.length >= 3 && body[0] == (byte) 0xEF && body[1] == (byte) 0xBB && body[2] == (byte) 0xBF;
  }

  private static boolean isBlank(byte b) {
    return b == ' ' || b == '\t' || b == '\r';
  }

  private static boolean isHeader(byte[] body, int from, int to) {
    String text = new String(body, from, to - from, StandardCharsets.UTF_8);
    return text.equalsIgnoreCase("userId") || text.equalsIgnoreCase("\"userId\"");
  }

  private static long userId(byte[] body, int from, int to, UserIdList users, int line) {
    if (to - from > 19) {
      throw users.invalidAt(line);
    }
    long value = 0;
    for (int i = from; i < to; i++) {
      int digit = body[i] - '0';
      if (digit < 0 || digit > 9 || value > (Long.MAX_VALUE - digit) / 10) {
        throw users.invalidAt(line);
      }
      value = value * 10 + digit;
    }
    return value;
  }
}
