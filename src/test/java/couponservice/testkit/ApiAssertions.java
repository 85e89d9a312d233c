package couponservice.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import couponservice.testkit.ApiClient.Response;

public final class ApiAssertions {
  private ApiAssertions() {}

  /** The contract's error body with this status and code, and no internals in its message. */
  public static void assertErrorBody(Response response, int status, String code) {
    assertEquals(status, response.status(), () -> response.body().toString());
    assertEquals(code, response.code());
    assertEquals(status, response.body().path("status").asInt());
    assertTrue(response.body().path("timestamp").asText().endsWith("Z"));
    String message = response.body().path("message").asText();
    assertFalse(message.isBlank());
    assertFalse(message.contains("Exception") || message.contains("couponservice."), "internals leaked: " + message);
  }
}
