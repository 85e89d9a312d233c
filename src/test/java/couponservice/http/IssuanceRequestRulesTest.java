package couponservice.http;

import static couponservice.testkit.ApiAssertions.assertErrorBody;
import static org.junit.jupiter.api.Assertions.assertEquals;

import couponservice.node.ServiceNode;
import couponservice.testkit.ApiClient;
import couponservice.testkit.ApiClient.Response;
import couponservice.testkit.TestDatabase;
import couponservice.testkit.TestNodes;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every malformed request of API.md's input limits, sent to every issuance endpoint as raw HTTP (so that headers
 * carry exactly the bytes under test): each is answered with its documented 4xx and the contract's error body,
 * and nothing is issued.
 */
class IssuanceRequestRulesTest {
  @RegisterExtension
  static final TestDatabase database = TestDatabase.perTestClass();
  @RegisterExtension
  static final ApiClient api = new ApiClient();

  private static ServiceNode node;
  private static long policyId;

  @BeforeAll
  static void start() {
    node = TestNodes.startSingle(database);
    Map<String, Object> terms = new HashMap<>(Map.of("distributionType", "DOWNLOAD", "couponCode", "RULES"));
    terms.put("maxIssueCount", null);
    policyId = api.createPolicy(node.httpPort(), terms);
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  /** One request: the endpoint, the caller, extra header lines, content type and body; what it must get. */
  private record Case(String name, String path, String token, List<String> headers, String contentType, String body,
      int status, String code) {
    @Override
    public String toString() {
      return path + ": " + name;
    }
  }

  private static final String USER = "user";
  private static final String ADMIN = "admin";

  /** The bodies that are well-formed for each endpoint, so that each case breaks one rule only. */
  private static Map<String, String> validBodies() {
    return Map.of(
        issuePath(), "{\"userId\":7}",
        "/api/coupons/download", "{\"couponCode\":\"RULES\",\"userId\":7}",
        "/api/coupons/direct-issue", "{\"couponPolicyId\":" + policyId + ",\"userIds\":[7]}");
  }

  private static String issuePath() {
    return "/api/coupon-policies/" + policyId + "/issue";
  }

  static Stream<Case> malformedRequests() {
    List<Case> cases = new ArrayList<>();
    validBodies().forEach((path, body) -> {
      String caller = path.endsWith("direct-issue") ? ADMIN : USER;
      // The body, its type and size: the same rules on every endpoint.
      cases.add(new Case("no token", path, null, List.of(), "application/json", body, 401, "UNAUTHORIZED"));
      cases.add(new Case("a token that is not one", path, "not.a.token", List.of(), "application/json", body, 401,
          "UNAUTHORIZED"));
      cases.add(new Case("a body declared as text", path, caller, List.of(), "text/plain", body, 415,
          "UNSUPPORTED_MEDIA_TYPE"));
      cases.add(new Case("an empty body", path, caller, List.of(), "application/json", "", 400, "VALIDATION_FAILED"));
      cases.add(new Case("truncated JSON", path, caller, List.of(), "application/json", body.substring(0, 5), 400,
          "VALIDATION_FAILED"));
      cases.add(new Case("a JSON array", path, caller, List.of(), "application/json", "[" + body + "]", 400,
          "VALIDATION_FAILED"));
      cases.add(new Case("a field given twice", path, caller, List.of(), "application/json",
          body.replaceFirst("\\{(\"\\w+\":[^,}]+)", "{$1,$1"), 400, "VALIDATION_FAILED"));
      cases.add(new Case("a body over 64 KiB", path, caller, List.of(), "application/json",
          body.replace("{", "{\"padding\":\"" + "x".repeat(66_000) + "\","), 413, "PAYLOAD_TOO_LARGE"));
      if (!path.endsWith("direct-issue")) {
        for (String userId : List.of("0", "-3", "\"7\"", "7.5", "99999999999999999999", "null")) {
          cases.add(new Case("userId " + userId, path, caller, List.of(), "application/json",
              body.replace("\"userId\":7", "\"userId\":" + userId), 400, "VALIDATION_FAILED"));
        }
        cases.add(new Case("another user's id", path, caller, List.of(), "application/json",
            body.replace("\"userId\":7", "\"userId\":8"), 403, "FORBIDDEN"));
        for (String key : List.of("", "a\tb", "a b", "x".repeat(65), "caf\u00e9", "a\u0001b", "a\u007fb")) {
          cases.add(new Case("Idempotency-Key " + printable(key), path, caller, List.of("Idempotency-Key: " + key),
              "application/json", body, 400, "VALIDATION_FAILED"));
        }
      }
    });
    String download = "/api/coupons/download";
    for (String code : List.of("\"\"", "\"a b\"", "\"" + "A".repeat(51) + "\"", "\"bad\\u0000code\"", "42")) {
      cases.add(new Case("couponCode " + code.substring(0, Math.min(code.length(), 12)), download, USER, List.of(),
          "application/json", "{\"couponCode\":" + code + ",\"userId\":7}", 400, "VALIDATION_FAILED"));
    }
    cases.add(new Case("no couponCode", download, USER, List.of(), "application/json", "{\"userId\":7}", 400,
        "VALIDATION_FAILED"));
    String direct = "/api/coupons/direct-issue";
    String tooMany = LongStream.rangeClosed(1, 10_001).mapToObj(Long::toString).collect(Collectors.joining(",", "[", "]"));
    for (String users : List.of("[]", "[1,2,1]", "[-4]", "[0]", "[\"7\"]", "7", tooMany)) {
      cases.add(new Case("userIds " + users.substring(0, Math.min(users.length(), 12)), direct, ADMIN, List.of(),
          "application/json", "{\"couponPolicyId\":" + policyId + ",\"userIds\":" + users + "}", 400,
          "VALIDATION_FAILED"));
    }
    for (String policy : List.of("0", "\"1\"", "null")) {
      cases.add(new Case("couponPolicyId " + policy, direct, ADMIN, List.of(), "application/json",
          "{\"couponPolicyId\":" + policy + ",\"userIds\":[7]}", 400, "VALIDATION_FAILED"));
    }
    cases.add(new Case("issuedBy of 101 characters", direct, ADMIN, List.of(), "application/json",
        "{\"couponPolicyId\":" + policyId + ",\"userIds\":[7],\"issuedBy\":\"" + "b".repeat(101) + "\"}", 400,
        "VALIDATION_FAILED"));
    cases.add(new Case("a user's token", direct, USER, List.of(), "application/json",
        validBodies().get(direct), 403, "FORBIDDEN"));
    cases.add(new Case("a policy id that is not a number", "/api/coupon-policies/x7/issue", USER, List.of(),
        "application/json", "{\"userId\":7}", 400, "VALIDATION_FAILED"));
    cases.add(new Case("a policy id of 0", "/api/coupon-policies/0/issue", USER, List.of(), "application/json",
        "{\"userId\":7}", 400, "VALIDATION_FAILED"));
    return cases.stream();
  }

  private static String printable(String value) {
    return value.chars().mapToObj(c -> c < 0x20 || c > 0x7e ? String.format("\\\\u%04x", c) : Character.toString(c))
        .collect(Collectors.joining()).replaceAll("(.{12}).+", "$1…");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("malformedRequests")
  void isRefusedWithItsDocumentedErrorAndIssuesNothing(Case c) throws IOException {
    String token = c.token() == null ? null
        : c.token().equals(USER) ? ApiClient.userToken(7) : c.token().equals(ADMIN) ? ApiClient.adminToken() : c.token();
    assertErrorBody(RawHttp.post(node.httpPort(), c.path(), token, c.headers(), c.contentType(), c.body()),
        c.status(), c.code());
    Response policy = api.send(node.httpPort(), "GET", "/api/coupon-policies/" + policyId, ApiClient.adminToken(), null);
    assertEquals(0, policy.longField("currentIssueCount"), "nothing was issued");
  }

  /** HTTP/1.1 over a socket: headers go out exactly as given, which an HTTP client would refuse or rewrite. */
  static final class RawHttp {
    private RawHttp() {}

    static Response post(int port, String path, String token, List<String> headers, String contentType, String body)
        throws IOException {
      byte[] content = body.getBytes(StandardCharsets.UTF_8);
      StringBuilder head = new StringBuilder("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n");
      if (token != null) {
        head.append("Authorization: Bearer ").append(token).append("\r\n");
      }
      headers.forEach(header -> head.append(header).append("\r\n"));
      head.append("Content-Type: ").append(contentType).append("\r\nContent-Length: ").append(content.length)
          .append("\r\n\r\n");
      try (Socket socket = new Socket("127.0.0.1", port)) {
        socket.setSoTimeout(30_000);
        OutputStream out = socket.getOutputStream();
        out.write(head.toString().getBytes(StandardCharsets.UTF_8));
        out.write(content);
        out.flush();
        InputStream in = socket.getInputStream();
        return ApiClient.parseRaw(new String(in.readAllBytes(), StandardCharsets.UTF_8));
      }
    }
  }
}
