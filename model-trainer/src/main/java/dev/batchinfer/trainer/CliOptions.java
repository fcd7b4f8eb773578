package dev.batchinfer.trainer;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * {@code --name value} pairs plus the {@code --overwrite} flag, shared by {@link TrainerArgs} and
 * {@link LanguageIdArgs}. Unknown options are errors so a typo cannot silently train with a default.
 */
record CliOptions(Map<String, String> values, boolean overwrite) {

  static CliOptions parse(String[] args, Set<String> options, String usage) {
    Map<String, String> values = new HashMap<>();
    boolean overwrite = false;
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (!arg.startsWith("--")) {
        throw new IllegalArgumentException("unexpected argument '" + arg + "'\n" + usage);
      }
      String name = arg.substring(2);
      if (name.equals("overwrite")) {
        overwrite = true;
        continue;
      }
      if (!options.contains(name)) {
        throw new IllegalArgumentException("unknown option --" + name + "\n" + usage);
      }
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException("--" + name + " needs a value");
      }
      values.put(name, args[++i]);
    }
    return new CliOptions(values, overwrite);
  }

  String get(String name, String fallback) {
    return values.getOrDefault(name, fallback);
  }
}
