package couponservice.http;

import couponservice.CouponException;
import couponservice.Outcome;
import couponservice.TextRules;
import couponservice.auth.Caller;
import couponservice.jobs.IssuanceJobs;
import couponservice.jobs.JobSubmission;
import couponservice.jobs.JobView;
import couponservice.readside.JobReadModel;
import couponservice.readside.JobReadModel.JobResult;
import couponservice.readside.Page;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.model.headers.Location;

/**
 * {@code /api/issuance-jobs} (ADMIN): submit a bulk issuance job (JSON or CSV), read one (from its entity: exact
 * progress), list them and read a job's per-user results (from the read model), cancel one.
 */
public final class JobEndpoints {
  private static final String JOBS = "/api/issuance-jobs";

  private final HttpContext http;
  private final IssuanceJobs jobs;
  private final JobReadModel readModel;
  private final IssuanceJobs.JobListing listing;
  private final long maxBodyBytes;

  /** {@code maxBodyBytes}: the largest body a submission may have (a million ids). */
  public JobEndpoints(HttpContext http, IssuanceJobs jobs, JobReadModel readModel, long maxBodyBytes) {
    this.http = http;
    this.jobs = jobs;
    this.readModel = readModel;
    this.listing = jobId -> http.blocking(() -> readModel.contains(jobId));
    this.maxBodyBytes = maxBodyBytes;
  }

  public List<Endpoint> endpoints() {
    return List.of(
        Endpoint.post(JOBS, this::submit),
        Endpoint.get(JOBS, this::list),
        Endpoint.get(JOBS + "/{jobId}", this::get),
        Endpoint.get(JOBS + "/{jobId}/results", this::results),
        Endpoint.post(JOBS + "/{jobId}/cancel", this::cancel));
  }

  /**
   * The job is checked whole (its user list, its policy) before anything is started; 202 once it runs, durably. The
   * body may take {@code coupon.jobs.upload-timeout} to arrive (16 MiB over a slow link). Parsing up to a million ids
   * takes tens of milliseconds of CPU, on the blocking dispatcher's thread.
   */
  private CompletionStage<HttpResponse> submit(ApiRequest request) {
    Caller caller = request.caller();
    caller.requireAdmin();
    String idempotencyKey = request.idempotencyKey();
    boolean csv = request.raw().entity().getContentType().mediaType().equals(MediaTypes.TEXT_CSV);
    CompletionStage<JobSubmission> submission = csv ? csvSubmission(request)
        : request.body(MediaTypes.APPLICATION_JSON, maxBodyBytes, jobs.uploadTimeout())
            .thenCompose(body -> http.blocking(() -> JobRequestBody.json(body.toArray())));
    return submission
        .thenCompose(asked -> jobs.submit(asked.issuedByDefault(caller.subject()), caller.subject(), idempotencyKey,
            request.requestId()))
        .thenApply(outcome -> outcome instanceof Outcome.Ok<JobView> started
            ? http.responses().json(202, started.value())
                .addHeader(Location.create(JOBS + "/" + started.value().jobId()))
            : http.responses().outcome(outcome, 202));
  }

  /** A CSV body, with the job's other fields in the query: {@code ?couponPolicyId=&name=&issuedBy=}. */
  private CompletionStage<JobSubmission> csvSubmission(ApiRequest request) {
    long policyId = ApiRequest.parseId(request.requiredQuery("couponPolicyId"));
    if (policyId == 0) {
      throw CouponException.invalid("couponPolicyId must be a positive id");
    }
    String name = optionalText(request, "name", JobSubmission.MAX_NAME);
    String issuedBy = optionalText(request, "issuedBy", JobSubmission.MAX_ISSUED_BY);
    return request.body(MediaTypes.TEXT_CSV, maxBodyBytes, jobs.uploadTimeout()).thenCompose(body -> http.blocking(() ->
        new JobSubmission(policyId, name, issuedBy, JobRequestBody.csv(body.toArray()))));
  }

  private static String optionalText(ApiRequest request, String name, int maxLength) {
    return TextRules.optionalText(name, request.query(name).filter(value -> !value.isEmpty()).orElse(null), maxLength);
  }

  private CompletionStage<HttpResponse> get(ApiRequest request) {
    request.caller().requireAdmin();
    return http.reply(jobs.get(request.id("jobId"), listing), 200);
  }

  private CompletionStage<HttpResponse> cancel(ApiRequest request) {
    request.caller().requireAdmin();
    return http.reply(jobs.cancel(request.id("jobId"), request.respondBy(), listing), 200);
  }

  /** The body of {@code GET /api/issuance-jobs}. */
  record JobPage(List<JobView> jobs, String nextCursor, boolean hasMore) {
    static JobPage of(Page<JobView> page) {
      return new JobPage(page.items(),
          page.hasMore() ? QueryParams.encodeCursor(Long.toString(page.last().jobId())) : null, page.hasMore());
    }
  }

  private CompletionStage<HttpResponse> list(ApiRequest request) {
    request.caller().requireAdmin();
    int limit = QueryParams.limit(request.query("limit"), QueryParams.DEFAULT_LIMIT);
    Long beforeId = QueryParams.decodeIdCursor(request.query("cursor"));
    return http.query(() -> JobPage.of(readModel.list(beforeId, limit)));
  }

  /** The body of {@code GET /api/issuance-jobs/{jobId}/results}. */
  record ResultPage(List<JobResult> results, String nextCursor, boolean hasMore) {
    static final ResultPage EMPTY = new ResultPage(List.of(), null, false);

    static ResultPage of(Page<JobResult> page) {
      return new ResultPage(page.items(),
          page.hasMore() ? QueryParams.encodeCursor(Long.toString(page.last().position())) : null, page.hasMore());
    }
  }

  /**
   * From the read model, in request order. A job not there yet (it lags the job by under a second) is asked of its
   * entity if it can be a job, so that an unknown job is 404 and a job just started has no results yet.
   */
  private CompletionStage<HttpResponse> results(ApiRequest request) {
    request.caller().requireAdmin();
    long jobId = request.id("jobId");
    String outcome = outcome(request.query("outcome"));
    int limit = QueryParams.limit(request.query("limit"), QueryParams.DEFAULT_LIMIT);
    Long afterPosition = QueryParams.decodeIdCursor(request.query("cursor"));
    return http.blocking(() -> readModel.results(jobId, outcome, afterPosition, limit)).thenCompose(page ->
        page.isPresent()
            ? CompletableFuture.completedFuture(http.responses().json(200, ResultPage.of(page.get())))
            : http.reply(jobs.get(jobId, listing).thenApply(job -> job instanceof Outcome.Rejected<JobView> refused
                ? refused.<ResultPage>cast() : Outcome.ok(ResultPage.EMPTY)), 200));
  }

  private static String outcome(Optional<String> value) {
    if (value.isEmpty() || value.get().isEmpty()) {
      return null;
    }
    if (!value.get().equals("SUCCESS") && !value.get().equals("FAILED")) {
      throw CouponException.invalid("outcome must be SUCCESS or FAILED");
    }
    return value.get();
  }
}
