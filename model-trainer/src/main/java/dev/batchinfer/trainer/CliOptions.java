package dev.batchinfer.trainer;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The one reader of {@code --name value} options (and stand-alone flags such as {@code --overwrite})
 * for the module's mains: {@link TrainerArgs}, {@link LanguageIdArgs} and {@link EvaluateMain}.
 * Every name a main accepts is declared, so a typo is an error instead of a silent default; a
 * value that does not parse is an error naming its option. A name given twice keeps its last value.
 */
final class CliOptions {

  private final Map<String, String> values;
  private final Set<String> flags;
  private final String usage;

  private CliOptions(Map<String, String> values, Set<String> flags, String usage) {
    this.values = values;
    this.flags = flags;
    this.usage = usage;
  }

  /**
   * @param options the names that take a value
   * @param flags the names that stand alone
   * @param usage appended to the errors that a look at the usage would fix
   */
  static CliOptions parse(String[] args, Set<String> options, Set<String> flags, String usage) {
    return read(args, options, flags, usage, false);
  }

  /**
   * The last value of {@code --name}, read as {@link #parse} reads it but without knowing the
   * other names: for choosing whose options the arguments are (TrainerMain's {@code --model}).
   * What parse would refuse is passed over here; the chosen parser reports it.
   */
  static Optional<String> peek(String[] args, String name, Set<String> flags) {
    return Optional.ofNullable(read(args, Set.of(), flags, "", true).values.get(name));
  }

  private static CliOptions read(String[] args, Set<String> options, Set<String> flags, String usage,
                                 boolean lenient) {
    Map<String, String> values = new HashMap<>();
    Set<String> given = new HashSet<>();
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (!arg.startsWith("--")) {
        if (lenient) {
          continue;
        }
        throw new IllegalArgumentException("unexpected argument '" + arg + "'\n" + usage);
      }
      String name = arg.substring(2);
      if (flags.contains(name)) {
        given.add(name);
        continue;
      }
      if (!lenient && !options.contains(name)) {
        throw new IllegalArgumentException("unknown option --" + name + "\n" + usage);
      }
      if (i + 1 >= args.length) {
        if (lenient) {
          break;
        }
        throw new IllegalArgumentException("--" + name + " needs a value");
      }
      values.put(name, args[++i]);
    }
    return new CliOptions(values, given, usage);
  }

  /** Whether the flag {@code --name} was given. */
  boolean flag(String name) {
    return flags.contains(name);
  }

  /** The value of {@code --name}, or {@code fallback} (which may be null) if it was not given. */
  String text(String name, String fallback) {
    return values.getOrDefault(name, fallback);
  }

  Path path(String name, Path fallback) {
    return values.containsKey(name) ? Path.of(values.get(name)) : fallback;
  }

  int integer(String name, int fallback) {
    return values.containsKey(name) ? value(name, null, Integer::parseInt) : fallback;
  }

  long longInteger(String name, long fallback) {
    return values.containsKey(name) ? value(name, null, Long::parseLong) : fallback;
  }

  float decimal(String name, float fallback) {
    return values.containsKey(name) ? value(name, null, Float::parseFloat) : fallback;
  }

  /**
   * Two whole numbers joined by {@code separator}, such as {@code --filters 32,64} or
   * {@code --ngrams 1-4}; {@code shape} is the error for any other number of parts.
   */
  int[] integerPair(String name, String fallback, String separator, String shape) {
    return value(name, fallback, text -> {
      String[] parts = text.split(Pattern.quote(separator));
      if (parts.length != 2) {
        throw new IllegalArgumentException(shape);
      }
      return new int[] {Integer.parseInt(parts[0].trim()), Integer.parseInt(parts[1].trim())};
    });
  }

  /**
   * The value of {@code --name} (or {@code fallback}) through {@code parse}. A number that does
   * not parse is reported with the option's name; other exceptions of {@code parse} pass through.
   */
  <T> T value(String name, String fallback, Function<String, T> parse) {
    String text = text(name, fallback);
    try {
      return parse.apply(text);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--" + name + " " + text + ": not a number\n" + usage, e);
    }
  }
}
