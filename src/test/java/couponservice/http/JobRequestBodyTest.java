package couponservice.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import couponservice.CouponException;
import couponservice.ErrorCode;
import couponservice.jobs.JobSubmission;
import java.nio.charset.StandardCharsets;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** A job's user list read from JSON and CSV bodies: what is taken, and what is refused naming its place. */
class JobRequestBodyTest {

  private static long[] csv(String body) {
    return JobRequestBody.csv(body.getBytes(StandardCharsets.UTF_8));
  }

  private static JobSubmission json(String body) {
    return JobRequestBody.json(body.getBytes(StandardCharsets.UTF_8));
  }

  private static String refusal(Runnable parse) {
    CouponException refused = assertThrows(CouponException.class, parse::run);
    assertEquals(ErrorCode.VALIDATION_FAILED, refused.code());
    return refused.getMessage();
  }

  @Test
  void aCsvFileIsOneIdPerLineWithAnOptionalHeader() {
    assertArrayEquals(new long[] {5, 3, 9}, csv("userId\n5\n3\n9\n"));
    assertArrayEquals(new long[] {5, 3, 9}, csv("5\r\n3\r\n9"));
    assertArrayEquals(new long[] {5, 3}, csv("\uFEFF\"userId\"\r\n  5\t\n\n3 \n\n"));
    assertArrayEquals(new long[] {Long.MAX_VALUE}, csv(Long.toString(Long.MAX_VALUE)));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "userId\\n1\\nabc\\n3|line 3 must be a positive integer user id",
      "1\\n2\\n0|line 3 must be a positive integer user id",
      "1\\n-2|line 2 must be a positive integer user id",
      "1,2|line 1 must be a positive integer user id",
      "9223372036854775808|line 1 must be a positive integer user id",
      "12345678901234567890123|line 1 must be a positive integer user id",
      "userId\\n4\\n\\n5\\n4|line 5: the user id 4 is already at line 2",
      "userId\\n|the CSV file holds no user id",
      "2\\nuserId|line 2 must be a positive integer user id"})
  void aBadCsvLineIsRefusedByItsNumber(String body, String message) {
    assertEquals(message, refusal(() -> csv(body.replace("\\n", "\n"))));
  }

  @Test
  void aMillionIdsAreTakenAndOneMoreIsRefused() {
    String million = LongStream.rangeClosed(1, 1_000_000).mapToObj(Long::toString).collect(Collectors.joining("\n"));
    assertEquals(1_000_000, csv(million).length);
    assertEquals("line 1000001: a job takes at most 1000000 user ids", refusal(() -> csv(million + "\n1000001")));
  }

  @Test
  void aJsonBodyIsReadFieldByField() {
    JobSubmission job = json("{\"name\":\"VIP\",\"extra\":{\"nested\":[1,{\"a\":2}]},\"userIds\":[7,8],"
        + "\"couponPolicyId\":3,\"issuedBy\":null}");
    assertEquals(3, job.policyId());
    assertEquals("VIP", job.name());
    assertNull(job.issuedBy());
    assertArrayEquals(new long[] {7, 8}, job.userIds());
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "{\"couponPolicyId\":1,\"userIds\":[4,5,4]}|userIds[2]: the user id 4 is already at userIds[0]",
      "{\"couponPolicyId\":1,\"userIds\":[4,\"5\"]}|userIds[1] must be a positive integer user id",
      "{\"couponPolicyId\":1,\"userIds\":[4,1.0]}|userIds[1] must be a positive integer user id",
      "{\"couponPolicyId\":1,\"userIds\":[0]}|userIds[0] must be a positive integer user id",
      "{\"couponPolicyId\":1,\"userIds\":[[1]]}|userIds[0] must be a positive integer user id",
      "{\"couponPolicyId\":1,\"userIds\":[99999999999999999999]}|userIds[0] must be a positive integer user id",
      "{\"couponPolicyId\":1,\"userIds\":[]}|userIds must hold 1 to 1000000 ids",
      "{\"couponPolicyId\":1,\"userIds\":7}|userIds must be an array of user ids",
      "{\"couponPolicyId\":1}|userIds is required",
      "{\"userIds\":[1]}|couponPolicyId is required",
      "{\"couponPolicyId\":0,\"userIds\":[1]}|couponPolicyId must be a positive id",
      "{\"couponPolicyId\":\"1\",\"userIds\":[1]}|couponPolicyId must be a positive id",
      "{\"couponPolicyId\":1,\"userIds\":[1],\"name\":7}|name must be a string",
      "{\"couponPolicyId\":1,\"userIds\":[1],\"name\":\"a\\u0000b\"}|name must not contain control characters",
      "{\"couponPolicyId\":1,\"userIds\":[1]} {}|the body is not valid JSON",
      "{\"couponPolicyId\":1,\"couponPolicyId\":2,\"userIds\":[1]}|the body is not valid JSON",
      "{\"couponPolicyId\":1,\"userIds\":[1|the body is not valid JSON",
      "[1,2]|the body must be a JSON object"})
  void aBadJsonBodyIsRefusedNamingTheFieldOrIndex(String body, String message) {
    assertEquals(message, refusal(() -> json(body)));
  }
}
