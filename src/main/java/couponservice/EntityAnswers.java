package couponservice;

import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/**
 * Answers of entities asked through sharding, moved onto the actor system's dispatcher: the Scala-backed
 * CompletionStages of the ask pattern run even their non-async callbacks on the common pool, which on a two-core
 * machine starts a thread per callback; the callbacks that follow (an entity piping the answer to itself, an HTTP
 * response built from it) then run where the actors run.
 */
public final class EntityAnswers {
  private EntityAnswers() {}

  public static <T> CompletionStage<T> onDispatcher(CompletionStage<T> answer, Executor dispatcher) {
    return answer.thenApplyAsync(value -> value, dispatcher);
  }
}
