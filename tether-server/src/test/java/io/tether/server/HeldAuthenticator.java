package io.tether.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * An authenticator that holds each answer until the test gives it, as one that asks a remote identity
 * provider does; the test completes it from its own thread. Clients that {@code admitAtOnce} are admitted
 * as their client id without waiting.
 */
public final class HeldAuthenticator implements Authenticator {
    /** One question the authenticator was asked, and the answer the test completes. */
    public record Question(AuthAttempt attempt, CompletableFuture<AuthResult> answer) {
    }

    private final BlockingQueue<Question> questions = new LinkedBlockingQueue<>();
    private final Predicate<String> admitAtOnce;

    public HeldAuthenticator() {
        this(id -> false);
    }

    public HeldAuthenticator(Predicate<String> admitAtOnce) {
        this.admitAtOnce = admitAtOnce;
    }

    @Override
    public CompletionStage<AuthResult> authenticate(AuthAttempt attempt) {
        if (admitAtOnce.test(attempt.clientId())) {
            return CompletableFuture.completedFuture(AuthResult.admit(attempt.clientId()));
        }
        CompletableFuture<AuthResult> answer = new CompletableFuture<>();
        questions.add(new Question(attempt, answer));
        return answer;
    }

    /** The next question asked, waiting up to 10 s for it. */
    public Question asked() throws InterruptedException {
        Question question = questions.poll(10, TimeUnit.SECONDS);
        assertThat(question).as("the authenticator was asked").isNotNull();
        return question;
    }

    /** The next question, which must have been asked already. */
    public Question askedAlready() {
        Question question = questions.poll();
        assertThat(question).as("the authenticator was asked").isNotNull();
        return question;
    }

    public boolean nothingAsked() {
        return questions.isEmpty();
    }
}
