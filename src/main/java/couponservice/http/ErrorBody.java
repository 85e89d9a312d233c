package couponservice.http;

import couponservice.ErrorCode;
import java.time.Instant;

/** The error body of every failed request (API.md "Errors"). */
public record ErrorBody(ErrorCode code, String message, int status, Instant timestamp) {}
