package couponservice.http;

import static couponservice.testkit.ApiAssertions.assertErrorBody;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import couponservice.node.ServiceNode;
import couponservice.testkit.ApiClient;
import couponservice.testkit.ApiClient.Response;
import couponservice.testkit.TestDatabase;
import couponservice.testkit.TestNodes;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The route table as a client meets it, for every route a node has: a path with more segments than a route is an
 * unknown path (404), another method on a route's path is 405 naming the route's methods, and a path id that is
 * not a positive number is 400 naming it.
 */
class RouteTableTest {
  private static final Pattern PARAMETER = Pattern.compile("\\{(\\*?)(\\w+)\\}");
  private static final Set<String> METHODS = Set.of("GET", "POST", "PUT", "PATCH", "DELETE");

  @RegisterExtension
  static final TestDatabase database = TestDatabase.perTestClass();
  @RegisterExtension
  static final ApiClient api = new ApiClient();

  private static ServiceNode node;

  @BeforeAll
  static void start() {
    node = TestNodes.startSingle(database);
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  /** Each template's methods, in the order of the route table. */
  private static Map<String, Set<String>> methodsByTemplate() {
    Map<String, Set<String>> byTemplate = new LinkedHashMap<>();
    for (String route : node.routes()) {
      String[] methodAndTemplate = route.split(" ", 2);
      byTemplate.computeIfAbsent(methodAndTemplate[1], t -> new java.util.TreeSet<>()).add(methodAndTemplate[0]);
    }
    return byTemplate;
  }

  /** A path the template matches, with {@code id} in its id parameters. */
  private static String pathOf(String template, String id) {
    Matcher parameter = PARAMETER.matcher(template);
    StringBuilder path = new StringBuilder();
    while (parameter.find()) {
      String name = parameter.group(2);
      parameter.appendReplacement(path, parameter.group(1).isEmpty() && name.endsWith("Id") && !name.equals("reservationId")
          ? id : "x1");
    }
    return parameter.appendTail(path).toString();
  }

  private static Response send(String method, String path) {
    return api.send(node.httpPort(), method, path, ApiClient.adminToken(), method.equals("GET") ? null : Map.of());
  }

  @TestFactory
  Stream<DynamicTest> morePathSegmentsThanARouteHasAreAnUnknownPath() {
    List<DynamicTest> tests = new ArrayList<>();
    methodsByTemplate().forEach((template, methods) -> {
      if (!template.contains("{*")) {
        String path = pathOf(template, "1") + (template.endsWith("/") ? "" : "/") + "extra/segments";
        methods.forEach(method -> tests.add(DynamicTest.dynamicTest(method + " " + path,
            () -> assertErrorBody(send(method, path), 404, "NOT_FOUND"))));
      }
    });
    return tests.stream();
  }

  @TestFactory
  Stream<DynamicTest> anotherMethodOnARoutesPathIsNotAllowed() {
    List<DynamicTest> tests = new ArrayList<>();
    methodsByTemplate().forEach((template, methods) -> {
      String path = pathOf(template, "1");
      String other = METHODS.stream().filter(m -> !methods.contains(m)).sorted().findFirst().orElseThrow();
      tests.add(DynamicTest.dynamicTest(other + " " + path, () -> {
        Response response = send(other, path);
        if (response.status() == 405) {
          assertErrorBody(response, 405, "METHOD_NOT_ALLOWED");
          Set<String> allowed = Stream.of(response.raw().headers().firstValue("Allow").orElseThrow().split(","))
              .map(String::trim).collect(Collectors.toSet());
          assertTrue(allowed.containsAll(methods), "Allow names " + methods + ": " + allowed);
        } else {
          // A path of several templates at once (an id where a literal also fits): the more literal one answers.
          assertTrue(template.contains("{"), other + " " + path + " answered " + response.status());
        }
      }));
    });
    return tests.stream();
  }

  @TestFactory
  Stream<DynamicTest> aPathIdThatIsNotANumberIsRefusedNamingIt() {
    List<DynamicTest> tests = new ArrayList<>();
    methodsByTemplate().forEach((template, methods) -> {
      Matcher parameter = PARAMETER.matcher(template);
      while (parameter.find()) {
        String name = parameter.group(2);
        if (parameter.group(1).isEmpty() && name.endsWith("Id") && !name.equals("reservationId")) {
          String path = pathOf(template, "12ab");
          String method = methods.iterator().next();
          tests.add(DynamicTest.dynamicTest(method + " " + path, () -> {
            Response response = send(method, path);
            assertErrorBody(response, 400, "VALIDATION_FAILED");
            assertTrue(response.body().path("message").asText().contains(name), response.body().toString());
          }));
        }
      }
    });
    return tests.stream();
  }

  @Test
  void pathsApiMdDoesNotDefineAreNotFound() {
    for (String path : List.of("/api/coupons/reserve/extra/segments", "/api/coupon-policies/1/issue/now",
        "/api/nowhere", "/", "/api", "/api/coupons/users/7/expiring/soon")) {
      assertErrorBody(send("GET", path), 404, "NOT_FOUND");
    }
    assertEquals(405, send("GET", "/api/coupons/download").status(), "a defined path with another method");
  }
}
