package couponservice;

import org.apache.pekko.actor.typed.ActorRef;

/** An entity command answered with an {@link Outcome}: any of them can be refused the same way. */
public interface Request<T> {
  ActorRef<Outcome<T>> replyTo();

  default void refuse(Outcome.Rejected<?> rejection) {
    replyTo().tell(rejection.cast());
  }
}
