package io.tether.internal;

/** A decoder that can say how far a frame that stopped arriving had got. */
public interface PartialFrameAware {
    /** Describes the incomplete frame in the buffer, or returns {@code null} when there is none. */
    String partialFrame();
}
