package io.tether.bench.lab;

import io.netty.buffer.UnpooledByteBufAllocator;
import io.tether.protocol.FrameType;
import io.tether.protocol.Frames;
import io.tether.protocol.Welcome;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Collectors;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import picocli.CommandLine;

/**
 * The one-connection attacks of {@code tether bench hostile}. Each runs on a fresh connection of its own,
 * ends with a reset, and is counted with what the server answered ({@code goaway.PROTOCOL_ERROR},
 * {@code closed}, {@code open}…). An IOException is the server's answer, never a failure of the bench.
 */
final class Attacks {
    /** Which threads run a kind: fast ones paced by the attack rate, slow ones by the dribble, floods apart. */
    enum Lane { FAST, SLOW, FLOOD }

    enum Kind {
        /** A valid HELLO, then a reset at once: the server may not have announced the session yet. */
        HELLO_RESET("hello-reset", Lane.FAST),
        /** A reset at a random step: before a byte, mid-header, mid-HELLO, after HELLO, after WELCOME, after a PONG. */
        HANDSHAKE_RESET("handshake-reset", Lane.FAST),
        /** 1 to 2,048 random bytes, before or after a valid handshake. */
        GARBAGE("garbage", Lane.FAST),
        /** A valid HELLO, PING, DATA or REQUEST with a bit flipped, a wrong length, an unknown type or flags. */
        MUTATED("mutated", Lane.FAST),
        /** A HELLO one byte per dribble step: the handshake deadline counts from accept, not from the last byte. */
        DRIBBLE_HELLO("dribble-hello", Lane.SLOW),
        /** After a handshake, a DATA header announcing the largest payload, then its bytes one per dribble step. */
        DRIBBLE_DATA("dribble-data", Lane.SLOW),
        /** Online connections sending REQUESTs as fast as the socket takes them; see {@link RequestFlood}. */
        REQUEST_FLOOD("request-flood", Lane.FLOOD);

        final String label;
        final Lane lane;

        Kind(String label, Lane lane) {
            this.label = label;
            this.lane = lane;
        }

        static final class Converter implements CommandLine.ITypeConverter<Kind> {
            @Override
            public Kind convert(String value) {
                for (Kind kind : values()) {
                    if (kind.label.equalsIgnoreCase(value.trim())) {
                        return kind;
                    }
                }
                throw new CommandLine.TypeConversionException("unknown attack '" + io.tether.util.LogSafe.text(value)
                        + "' (known: " + Arrays.stream(values()).map(k -> k.label).collect(Collectors.joining(", ")) + ")");
            }
        }
    }

    private enum Mutation { BIT_FLIP, LENGTH, TYPE, FLAGS }

    private final InetSocketAddress target;
    private final Duration replyWait;
    private final Duration dribbleStep;
    private final Duration dribbleFor;
    private final Map<Kind, LongAdder> done = new EnumMap<>(Kind.class);
    private final Map<String, LongAdder> answers = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();
    /** Milliseconds from connect until the server ended a dribbled HELLO: the handshake deadline as enforced. */
    private final Recorder helloCut = new Recorder(3);
    private volatile boolean stopping;

    Attacks(InetSocketAddress target, Duration replyWait, Duration dribbleStep, Duration dribbleFor) {
        this.target = target;
        this.replyWait = replyWait;
        this.dribbleStep = dribbleStep;
        this.dribbleFor = dribbleFor;
        for (Kind kind : Kind.values()) {
            done.put(kind, new LongAdder());
        }
    }

    /** Asks every running attack to give up at its next step; each then resets its connection. */
    void stop() {
        stopping = true;
    }

    boolean stopping() {
        return stopping;
    }

    long done(Kind kind) {
        return done.get(kind).sum();
    }

    /** See {@link #helloCut}; call once, at the end. */
    Histogram helloCutMillis() {
        return helloCut.getIntervalHistogram();
    }

    /** What the server answered, as {@code kind.answer} to count, sorted by name. */
    Map<String, Long> answers() {
        Map<String, Long> sorted = new TreeMap<>();
        answers.forEach((answer, count) -> sorted.put(answer, count.sum()));
        return sorted;
    }

    /** Runs one attack of a fast or slow kind and counts it. */
    void run(Kind kind, Random random) {
        String answer;
        try {
            answer = switch (kind) {
                case HELLO_RESET -> helloReset();
                case HANDSHAKE_RESET -> handshakeReset(random);
                case GARBAGE -> garbage(random);
                case MUTATED -> mutated(random);
                case DRIBBLE_HELLO -> dribbleHello();
                case DRIBBLE_DATA -> dribbleData(random);
                case REQUEST_FLOOD -> throw new IllegalArgumentException("a request flood is not a one-connection attack");
            };
        } catch (RawConnection.Refused refused) {
            answer = "refused." + refused.getMessage();
        } catch (IOException e) {
            answer = "io." + e.getClass().getSimpleName();
        }
        done.get(kind).increment();
        answers.computeIfAbsent(kind.label + "." + answer, a -> new LongAdder()).increment();
    }

    private String id(Kind kind) {
        return "x-" + kind.label + "-" + ids.incrementAndGet();
    }

    private String helloReset() throws IOException {
        try (RawConnection connection = RawConnection.open(target)) {
            connection.send(RawConnection.hello(id(Kind.HELLO_RESET)));
            return "sent";
        }
    }

    private String handshakeReset(Random random) throws IOException {
        int step = random.nextInt(6);
        byte[] hello = RawConnection.hello(id(Kind.HANDSHAKE_RESET));
        try (RawConnection connection = RawConnection.open(target)) {
            switch (step) {
                case 0 -> { } // connected, not a byte sent
                case 1 -> connection.send(hello, 0, 1 + random.nextInt(Frames.HEADER_LENGTH - 1));
                case 2 -> connection.send(hello, 0, Frames.HEADER_LENGTH + random.nextInt(hello.length - Frames.HEADER_LENGTH));
                case 3 -> connection.send(hello);
                case 4 -> connection.handshake(id(Kind.HANDSHAKE_RESET));
                default -> {
                    connection.handshake(id(Kind.HANDSHAKE_RESET));
                    connection.send(RawConnection.bytes(Frames.ping(UnpooledByteBufAllocator.DEFAULT, 1, 0)));
                    connection.readFrame(5_000); // the PONG
                }
            }
            return "step-" + step;
        }
    }

    private String garbage(Random random) throws IOException {
        try (RawConnection connection = RawConnection.open(target)) {
            boolean online = random.nextBoolean();
            if (online) {
                connection.handshake(id(Kind.GARBAGE));
            }
            byte[] junk = new byte[1 + random.nextInt(2048)];
            random.nextBytes(junk);
            String prefix = online ? "online." : "";
            return prefix + (connection.send(junk) ? connection.answer(replyWait) : "closed-while-sending");
        }
    }

    private String mutated(Random random) throws IOException {
        try (RawConnection connection = RawConnection.open(target)) {
            boolean online = random.nextInt(5) >= 2; // three in five after a valid handshake
            byte[] frame;
            if (online) {
                connection.handshake(id(Kind.MUTATED));
                frame = validFrame(random);
            } else {
                frame = RawConnection.hello(id(Kind.MUTATED));
            }
            mutate(frame, Mutation.values()[random.nextInt(Mutation.values().length)], random);
            String prefix = online ? "online." : "";
            return prefix + (connection.send(frame) ? connection.answer(replyWait) : "closed-while-sending");
        }
    }

    private static byte[] validFrame(Random random) {
        byte[] payload = new byte[random.nextInt(65)];
        random.nextBytes(payload);
        var alloc = UnpooledByteBufAllocator.DEFAULT;
        return RawConnection.bytes(switch (random.nextInt(3)) {
            case 0 -> Frames.ping(alloc, random.nextInt(), 0);
            case 1 -> Frames.data(alloc, payload);
            default -> Frames.request(alloc, 1 + random.nextInt(Integer.MAX_VALUE - 1), payload);
        });
    }

    private static void mutate(byte[] frame, Mutation mutation, Random random) {
        switch (mutation) {
            case BIT_FLIP -> frame[random.nextInt(frame.length)] ^= (byte) (1 << random.nextInt(8));
            case LENGTH -> {
                int actual = frame.length - Frames.HEADER_LENGTH;
                int wrong = switch (random.nextInt(4)) {
                    case 0 -> random.nextInt(); // any 32 bits: often beyond any limit, or "negative"
                    case 1 -> actual + 1 + random.nextInt(3);
                    case 2 -> Math.max(0, actual - 1 - random.nextInt(3));
                    default -> Frames.DEFAULT_MAX_PAYLOAD + 1;
                };
                for (int i = 0; i < 4; i++) {
                    frame[Frames.LENGTH_OFFSET + i] = (byte) (wrong >>> (24 - 8 * i));
                }
            }
            case TYPE -> frame[Frames.TYPE_OFFSET] = (byte) (random.nextBoolean() ? 0 : 0x0A + random.nextInt(0xF6));
            case FLAGS -> frame[Frames.FLAGS_OFFSET] = (byte) (1 + random.nextInt(255));
        }
    }

    /** A HELLO a byte at a time; between bytes it listens, so the server's GOAWAY ends it at once. */
    private String dribbleHello() throws IOException {
        byte[] hello = RawConnection.hello(id(Kind.DRIBBLE_HELLO));
        try (RawConnection connection = RawConnection.open(target)) {
            long connected = System.nanoTime();
            long end = connected + dribbleFor.toNanos();
            for (int i = 0; i < hello.length; i++) {
                if (stopping) {
                    return "stopped";
                }
                if (System.nanoTime() > end) {
                    return "gave-up"; // the server let a HELLO dribble for the whole --dribble-for
                }
                if (!connection.send(hello, i, 1)) {
                    return "closed-while-sending";
                }
                String answer = connection.answer(dribbleStep);
                if (!answer.equals("open")) {
                    helloCut.recordValue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - connected));
                    return answer;
                }
            }
            return "completed";
        }
    }

    /** A largest-possible DATA frame a byte at a time, until the dribble time is up or the server ends it. */
    private String dribbleData(Random random) throws IOException {
        long end = System.nanoTime() + dribbleFor.toNanos();
        try (RawConnection connection = RawConnection.open(target)) {
            Welcome welcome = connection.handshake(id(Kind.DRIBBLE_DATA));
            byte[] header = new byte[Frames.HEADER_LENGTH];
            header[Frames.TYPE_OFFSET] = (byte) FrameType.DATA.code();
            int length = welcome.maxPayload();
            for (int i = 0; i < 4; i++) {
                header[Frames.LENGTH_OFFSET + i] = (byte) (length >>> (24 - 8 * i));
            }
            if (!connection.send(header)) {
                return "closed-while-sending";
            }
            byte[] one = new byte[1];
            while (!stopping && System.nanoTime() < end) {
                random.nextBytes(one);
                if (!connection.send(one)) {
                    return "closed-while-sending";
                }
                String answer = connection.answer(dribbleStep);
                if (!answer.equals("open")) {
                    return answer;
                }
            }
            return "open";
        }
    }
}
