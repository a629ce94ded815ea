package io.tether.util;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LogSafeTest {
    @Test
    void plainTextIsReturnedAsItIs() {
        String text = "bad request: ünïcode 设备";
        assertThat(LogSafe.text(text)).isSameAs(text);
    }

    @Test
    void aNewlineCannotForgeALine() {
        assertThat(LogSafe.text("oops\n2026-01-01 INFO alice ONLINE\r"))
                .isEqualTo("oops\\n2026-01-01 INFO alice ONLINE\\r")
                .doesNotContain("\n", "\r");
    }

    @Test
    void controlSeparatorAndBidiCharactersAreEscaped() {
        assertThat(LogSafe.text("a\u0000b\u001bc\u2028d\u202Ee\\f")).isEqualTo("a\\u0000b\\u001bc\\u2028d\\u202ee\\\\f");
    }

    @Test
    void longTextIsCutAndSaysHowMuchWasLeftOut() {
        assertThat(LogSafe.text("x".repeat(3_000_000))).hasSize(LogSafe.MAX_CHARS + "…(2999800 more chars)".length())
                .endsWith("…(2999800 more chars)");
        assertThat(LogSafe.text("ab\ncd", 3)).isEqualTo("ab\\n…(2 more chars)");
    }
}
