package io.tether.keeper;

import java.io.IOException;

/** The keeper was closed before, or while, the caller was borrowing. */
public final class KeeperClosedException extends IOException {
    public KeeperClosedException(String message) {
        super(message);
    }
}
