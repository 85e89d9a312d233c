package couponservice.jobs;

import couponservice.CborSerializable;
import couponservice.jobs.IssuanceJob.ChunkProcessed;
import couponservice.jobs.IssuanceJob.JobEnded;
import couponservice.jobs.IssuanceJob.JobStarted;
import couponservice.jobs.IssuanceJob.SubmissionExpired;
import couponservice.jobs.IssuanceJob.UsersAdded;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A job's state: nothing yet; its user list arriving in parts; running, with the whole list and a durable cursor
 * (the users processed, which are always whole chunks from the start); ended; or an id given up before a job started.
 */
public sealed interface JobState extends CborSerializable {

  /** What the job was asked to do, fixed when it starts; {@code chunkSize} too, so a restart resumes the same chunks. */
  record Header(long jobId, long policyId, String name, String issuedBy, int totalRequested, int chunkSize,
      String submissionId, String requestId, Instant createdAt, Instant startedAt) implements CborSerializable {}

  record NoJob(long jobId) implements JobState {}

  /** The parts of submission {@code submissionId} received so far, in order. */
  record Submitting(long jobId, String submissionId, Instant createdAt, List<long[]> parts) implements JobState {
    int received() {
      return parts.stream().mapToInt(part -> part.length).sum();
    }
  }

  /** {@code userIds}: every user of the job, in request order; the first {@code counts.processed()} are done. */
  record Running(Header header, long[] userIds, JobCounts counts) implements JobState {
    int processed() {
      return (int) counts.processed();
    }

    long nextChunk() {
      return processed() / header.chunkSize();
    }

    int nextChunkSize() {
      return Math.min(header.chunkSize(), userIds.length - processed());
    }

    /** The users of the next chunk. */
    List<Long> nextChunkUsers() {
      int from = processed();
      List<Long> users = new ArrayList<>(nextChunkSize());
      for (int i = from; i < from + nextChunkSize(); i++) {
        users.add(userIds[i]);
      }
      return users;
    }
  }

  /** A job that ended: it no longer needs its user list (an ended job's snapshot is small). */
  record Ended(Header header, JobStatus status, JobCounts counts, Instant completedAt) implements JobState {}

  /** The id's submission timeout passed before a job started under it: it never will. */
  record Expired(long jobId) implements JobState {}

  static JobState empty(long jobId) {
    return new NoJob(jobId);
  }

  default JobState onUsersAdded(UsersAdded added) {
    List<long[]> parts = new ArrayList<>();
    Instant createdAt = added.at();
    if (this instanceof Submitting submitting) {
      parts.addAll(submitting.parts());
      createdAt = submitting.createdAt();
    }
    parts.add(added.userIds());
    return new Submitting(added.jobId(), added.submissionId(), createdAt, parts);
  }

  default JobState onStarted(JobStarted started) {
    Submitting submitting = (Submitting) this;
    long[] userIds = new long[submitting.received()];
    int at = 0;
    for (long[] part : submitting.parts()) {
      System.arraycopy(part, 0, userIds, at, part.length);
      at += part.length;
    }
    return new Running(new Header(started.jobId(), started.policyId(), started.name(), started.issuedBy(),
        started.totalRequested(), started.chunkSize(), submitting.submissionId(), started.requestId(),
        started.createdAt(), started.startedAt()), userIds, JobCounts.NONE);
  }

  default JobState onChunkProcessed(ChunkProcessed processed) {
    Running running = (Running) this;
    return new Running(running.header(), running.userIds(), processed.counts());
  }

  default JobState onExpired(SubmissionExpired expired) {
    return new Expired(expired.jobId());
  }

  default JobState onEnded(JobEnded ended) {
    Running running = (Running) this;
    return new Ended(running.header(), ended.status(), ended.counts(), ended.at());
  }
}
