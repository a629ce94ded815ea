package io.tether.cli;

import java.util.concurrent.CountDownLatch;

/**
 * How a long-running command ends: on SIGINT or SIGTERM the JVM runs the clean-up (a graceful goodbye to
 * every peer), and the command's main thread, waiting here, returns.
 */
public final class UntilSignalled {
    private final CountDownLatch stopped = new CountDownLatch(1);

    private UntilSignalled() {
    }

    /** Registers {@code cleanUp} to run on shutdown; call {@link #await()} when the command has nothing else to do. */
    static UntilSignalled arm(Runnable cleanUp) {
        UntilSignalled signal = new UntilSignalled();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                cleanUp.run();
            } finally {
                signal.stopped.countDown();
            }
        }, "tether-shutdown"));
        return signal;
    }

    /** Arms and waits: for commands whose work all happens on other threads. */
    public static void run(Runnable cleanUp) throws InterruptedException {
        arm(cleanUp).await();
    }

    void await() throws InterruptedException {
        stopped.await();
    }
}
