package io.tether.server.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Every class docs/ARCHITECTURE.md names in backticks exists in the sources, so the page follows the code. */
class ArchitectureDocumentTest {
    private static final Pattern NAMED = Pattern.compile("`([A-Z][A-Za-z]+)(?:\\.[A-Za-z]+)?`");

    @Test
    void everyClassTheArchitecturePageNamesExists() throws IOException {
        Path root = Path.of("..");
        String page = Files.readString(root.resolve("docs/ARCHITECTURE.md"), StandardCharsets.UTF_8);
        Set<String> named = new TreeSet<>();
        Matcher m = NAMED.matcher(page);
        while (m.find()) {
            named.add(m.group(1));
        }
        Set<String> sources;
        try (Stream<Path> files = Files.walk(root, 12)) {
            sources = files.filter(p -> p.toString().endsWith(".java"))
                    .map(p -> p.getFileName().toString().replace(".java", ""))
                    .collect(Collectors.toSet());
        }
        assertThat(named).hasSizeGreaterThan(20);
        assertThat(named).allSatisfy(name -> assertThat(sources).as("a class named in docs/ARCHITECTURE.md").contains(name));
    }
}
