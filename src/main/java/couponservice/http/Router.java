package couponservice.http;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.http.javadsl.model.HttpMethod;

/**
 * Finds the endpoint of a request from the route table alone, so that every route is written once: a path no
 * template has is 404, a path with only other methods is 405, and a parameter that must be an id and is not is
 * 400 naming it. Where several templates fit a path, those with the most literal segments win, so that
 * {@code GET /api/coupons/download} is 405 (the download endpoint), not a coupon id that is not a number.
 */
final class Router {

  /** What a request path and method found. */
  sealed interface Match {}

  record Found(Endpoint endpoint, Map<String, String> parameters) implements Match {}

  record NotAnId(Endpoint endpoint, String parameter) implements Match {}

  record MethodNotAllowed(Endpoint endpoint, List<HttpMethod> allowed) implements Match {}

  record NotFound() implements Match {}

  private record Template(Endpoint endpoint, String[] segments, int literals) {
    boolean takesTheRest() {
      return segments[segments.length - 1].startsWith("{*");
    }

    boolean fits(String[] path) {
      if (takesTheRest() ? path.length < segments.length : segments.length != path.length) {
        return false;
      }
      for (int i = 0; i < segments.length; i++) {
        boolean parameter = isParameter(segments[i]);
        if (parameter ? path[i].isEmpty() : !segments[i].equals(path[i])) {
          return false;
        }
      }
      return true;
    }
  }

  private final List<Template> templates;

  Router(List<Endpoint> endpoints) {
    this.templates = endpoints.stream().map(endpoint -> {
      String[] segments = segments(endpoint.template());
      int literals = 0;
      for (String segment : segments) {
        literals += isParameter(segment) ? 0 : 1;
      }
      return new Template(endpoint, segments, literals);
    }).toList();
  }

  List<String> routes() {
    return templates.stream().map(t -> t.endpoint().method().name() + " " + t.endpoint().template()).toList();
  }

  /** {@code path} as the request line has it (percent-encoded); parameters are matched decoded. */
  Match match(HttpMethod method, String path) {
    String[] actual = segments(path);
    for (int i = 0; i < actual.length; i++) {
      actual[i] = decode(actual[i]);
    }
    List<Template> fitting = new ArrayList<>();
    int mostLiterals = -1;
    for (Template template : templates) {
      if (template.fits(actual)) {
        if (template.literals() > mostLiterals) {
          fitting.clear();
          mostLiterals = template.literals();
        }
        if (template.literals() == mostLiterals) {
          fitting.add(template);
        }
      }
    }
    if (fitting.isEmpty()) {
      return new NotFound();
    }
    for (Template template : fitting) {
      if (template.endpoint().method().equals(method)) {
        return found(template, actual);
      }
    }
    return new MethodNotAllowed(fitting.get(0).endpoint(),
        fitting.stream().map(t -> t.endpoint().method()).distinct().toList());
  }

  private static Match found(Template template, String[] actual) {
    Map<String, String> parameters = new HashMap<>(4);
    String[] segments = template.segments();
    for (int i = 0; i < segments.length; i++) {
      String segment = segments[i];
      if (segment.startsWith("{*")) {
        parameters.put(segment.substring(2, segment.length() - 1),
            String.join("/", Arrays.asList(actual).subList(i, actual.length)));
      } else if (isParameter(segment)) {
        String name = segment.substring(1, segment.length() - 1);
        if (isIdParameter(name) && ApiRequest.parseId(actual[i]) == 0) {
          return new NotAnId(template.endpoint(), name);
        }
        parameters.put(name, actual[i]);
      }
    }
    return new Found(template.endpoint(), parameters);
  }

  private static boolean isParameter(String segment) {
    return segment.startsWith("{") && segment.endsWith("}");
  }

  /** Ids of policies, coupons, users and jobs are positive longs; a reservation id is the client's own text. */
  private static boolean isIdParameter(String name) {
    return name.endsWith("Id") && !name.equals("reservationId");
  }

  /** Percent-decoding of one segment ({@code +} is a plus sign in a path, not a space). */
  private static String decode(String segment) {
    return segment.indexOf('%') < 0 ? segment : URLDecoder.decode(segment.replace("+", "%2B"), StandardCharsets.UTF_8);
  }

  private static String[] segments(String path) {
    return (path.startsWith("/") ? path.substring(1) : path).split("/", -1);
  }
}
