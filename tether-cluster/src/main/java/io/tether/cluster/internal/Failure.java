package io.tether.cluster.internal;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** Short descriptions of failures for the cluster's log lines. */
public final class Failure {
    private Failure() {
    }

    public static String describe(Throwable failure) {
        Throwable t = failure;
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        String message = t.getMessage();
        return t.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }

    /** {@link #describe}, followed by the deepest cause's message where that says more ("Connection refused"). */
    public static String withRoot(Throwable failure) {
        Throwable root = failure;
        for (int i = 0; i < 20 && root.getCause() != null && root.getCause() != root; i++) {
            root = root.getCause();
        }
        String described = describe(failure);
        String more = root.getMessage();
        return more == null || described.contains(more) ? described : described + " (" + more + ")";
    }
}
