package couponservice.jobs;

/** Where a bulk issuance job is: issuing, done with every user, or stopped before the users not yet processed. */
public enum JobStatus {
  RUNNING,
  COMPLETED,
  CANCELLED
}
