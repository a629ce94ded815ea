package io.tether.cli;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParseResult;

/**
 * {@code --config FILE}: a YAML file in which each long option of the command is a key, without its
 * {@code --} ({@code port: 7000}, {@code legacy-allow: [10.0.0.0/8]}); flags on the command line override it.
 *
 * <p>The file's values reach the command as picocli default values ({@link CommandLine.IDefaultValueProvider}),
 * so each goes through the converter, the {@link Within} bound and the error message of the flag it stands
 * for: there is one way to read a port, whether typed or written in a file. As with any default, picocli
 * does not look at the file's value for an option the command line gives. Errors about a value from the
 * file name the file, the line and the key instead of the flag. File names in the file are relative to the
 * file's own directory.
 */
public final class ConfigFile {
    /** picocli's prefix on a conversion error, which the file's own prefix replaces. */
    private static final Pattern INVALID_VALUE = Pattern.compile("^Invalid value for option '[^']*'(?: \\([^)]*\\))?: ");

    @Option(names = "--config", paramLabel = "FILE",
            description = "YAML file of these options, each long name a key (port: 7000); flags given here override it."
                    + " Relative file names in it are relative to its directory.")
    Path file;

    /**
     * The parse to run: {@code parsed} itself, or, when a command was given {@code --config}, the same
     * arguments parsed again with the file's values as that command's defaults. The first parse has checked
     * the command line, so a value picocli refuses in the second is the file's, and the error says so.
     */
    static ParseResult apply(ParseResult parsed) {
        boolean loaded = false;
        for (CommandLine command : parsed.asCommandLineList()) {
            if (command.isUsageHelpRequested() || command.isVersionHelpRequested()) {
                return parsed; // help shows the flags; it needs no file
            }
            ConfigFile option = of(command.getCommandSpec());
            if (option != null && option.file != null) {
                command.getCommandSpec().defaultValueProvider(new Defaults(command, option.file));
                loaded = true;
            }
        }
        if (!loaded) {
            return parsed;
        }
        try {
            return parsed.commandSpec().commandLine().parseArgs(parsed.originalArgs().toArray(String[]::new));
        } catch (CommandLine.ParameterException e) {
            String origin = e.getArgSpec() instanceof OptionSpec option ? origin(e.getCommandLine(), option) : null;
            if (origin == null) {
                throw e;
            }
            String detail = INVALID_VALUE.matcher(e.getMessage()).replaceFirst("");
            throw new CommandLine.ParameterException(e.getCommandLine(), origin + ": " + detail, e, e.getArgSpec(), e.getValue());
        }
    }

    /**
     * How an error names where {@code option}'s value came from: {@code server.yaml:3: port} when the
     * config file set it and no flag overrode it, the flag otherwise.
     */
    static String nameOf(CommandLine command, OptionSpec option) {
        boolean flagged = command.getParseResult() != null && command.getParseResult().hasMatchedOption(option);
        String origin = flagged ? null : origin(command, option);
        return origin != null ? origin : option.longestName();
    }

    private static String origin(CommandLine command, OptionSpec option) {
        return command.getCommandSpec().defaultValueProvider() instanceof Defaults defaults ? defaults.origin(option) : null;
    }

    private static ConfigFile of(CommandSpec spec) {
        for (CommandSpec mixin : spec.mixins().values()) {
            if (mixin.userObject() instanceof ConfigFile option) {
                return option;
            }
        }
        return null;
    }

    /** The file's values, by the option each one sets. */
    private static final class Defaults implements CommandLine.IDefaultValueProvider {
        private final String source;
        private final Map<OptionSpec, YamlFlags.Entry> entries = new HashMap<>();
        private final Map<OptionSpec, String> values = new HashMap<>();

        Defaults(CommandLine command, Path file) {
            Map<String, OptionSpec> keys = keys(command.getCommandSpec());
            Path directory = file.toAbsolutePath().getParent();
            try {
                source = YamlFlags.source(file);
                for (YamlFlags.Entry entry : YamlFlags.read(file).values()) {
                    String where = source + ":" + entry.line() + ": " + YamlFlags.quote(entry.key()) + ": ";
                    OptionSpec option = keys.get(entry.key());
                    if (option == null) {
                        throw new YamlFlags.Problem(where + unknown(command, entry.key(), keys.keySet()));
                    }
                    entries.put(option, entry);
                    values.put(option, value(where, option, entry, directory));
                }
            } catch (YamlFlags.Problem e) {
                throw new CommandLine.ParameterException(command, e.getMessage());
            }
        }

        /** Every long option but help, version and --config itself, by its name without "--". */
        private static Map<String, OptionSpec> keys(CommandSpec spec) {
            Map<String, OptionSpec> keys = new HashMap<>();
            for (OptionSpec option : spec.options()) {
                String name = option.longestName();
                boolean config = option.userObject() instanceof java.lang.reflect.Field field
                        && field.getDeclaringClass() == ConfigFile.class;
                if (name.startsWith("--") && !option.usageHelp() && !option.versionHelp() && !config) {
                    keys.put(name.substring(2), option);
                }
            }
            return keys;
        }

        private static String unknown(CommandLine command, String key, Set<String> keys) {
            String problem = "not a setting of " + command.getCommandSpec().qualifiedName();
            if (key.equals("config")) {
                return problem + " (a config file cannot name another)";
            }
            // picocli's own nearest-match, as for a misspelt flag; only names the file may hold are offered.
            List<String> near = new ArrayList<>();
            for (String suggestion : new CommandLine.UnmatchedArgumentException(command, List.of("--" + key)).getSuggestions()) {
                String name = suggestion.replaceFirst("^--", "");
                if (keys.contains(name)) {
                    near.add(name);
                }
            }
            return problem + (near.isEmpty() ? "" : "; did you mean " + near.get(0) + "?");
        }

        /** The entry as the one string picocli converts, as if typed after the flag. */
        private static String value(String where, OptionSpec option, YamlFlags.Entry entry, Path directory)
                throws YamlFlags.Problem {
            String text;
            if (entry.list()) {
                if (!option.isMultiValue() || !",".equals(option.splitRegex())) {
                    throw new YamlFlags.Problem(where + "takes one value, got a list");
                }
                text = String.join(",", entry.values()); // the comma form of the flag
            } else {
                text = entry.values().get(0);
            }
            if (option.type() == Path.class) {
                try {
                    text = directory.resolve(text).toString();
                } catch (InvalidPathException e) {
                    throw new YamlFlags.Problem(where + "'" + YamlFlags.quote(text) + "' is not a file name");
                }
            }
            return text.replace("$", "$$"); // picocli expands ${...} in defaults and reads $$ as $: the file means what it says
        }

        String origin(OptionSpec option) {
            YamlFlags.Entry entry = entries.get(option);
            return entry == null ? null : source + ":" + entry.line() + ": " + YamlFlags.quote(entry.key());
        }

        @Override
        public String defaultValue(ArgSpec argument) {
            return argument instanceof OptionSpec option ? values.get(option) : null;
        }

        @Override
        public String toString() {
            return source;
        }
    }
}
