package dev.batchinfer.trainer;

import java.util.regex.Pattern;

/**
 * Turns a catalogue string into the plain text a user might send: drops printf/Python/shell
 * placeholders, markup, entities and menu accelerators, and collapses whitespace (so the result
 * has no tabs or newlines and fits one TSV field). Only catalogue text needs this; punctuation,
 * digits and case are normalised inside the model graph for every input alike.
 */
public final class TextCleaner {

  private static final Pattern PLACEHOLDERS = Pattern.compile(String.join("|",
      // printf: %s %5.2f %-10s %1$s %lu %'d %% %m, and <inttypes.h> macros
      "%(\\d+\\$)?[-+ #0']*(\\d+|\\*)?(\\.(\\d+|\\*))?(hh|h|ll|l|L|q|j|z|t|I64|I32)?[diouxXeEfFgGaAcspnmC%]",
      "%<PRI[A-Za-z0-9]+>",
      // Python %(name)s, {0} {name} {}, shell ${var} $var
      "%\\([^)]*\\)[a-zA-Z]", "\\$\\{[^}]*\\}", "\\{[^{}]*\\}", "\\$[A-Za-z_][A-Za-z0-9_]*",
      // markup and entities
      "<[^<>]+>", "&[A-Za-z]+;", "&#\\d+;"));
  private static final Pattern ACCELERATORS = Pattern.compile("[_&~]");
  private static final Pattern WHITESPACE = Pattern.compile("\\s+");

  private TextCleaner() {}

  public static String clean(String text) {
    String s = PLACEHOLDERS.matcher(text).replaceAll(" ");
    s = ACCELERATORS.matcher(s).replaceAll("");
    return WHITESPACE.matcher(s).replaceAll(" ").strip();
  }

  /** Letters (any script) in {@code text}; strings with fewer than 2 carry no language. */
  public static int letters(String text) {
    return (int) text.codePoints().filter(Character::isLetter).count();
  }
}
