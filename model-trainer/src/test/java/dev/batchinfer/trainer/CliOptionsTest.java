package dev.batchinfer.trainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CliOptionsTest {

  private static final Set<String> OPTIONS = Set.of("epochs", "rate", "out", "name");
  private static final Set<String> FLAGS = Set.of("overwrite");

  private static CliOptions parse(String... args) {
    return CliOptions.parse(args, OPTIONS, FLAGS, "usage: x");
  }

  @Test
  void reads_values_flags_and_falls_back_to_defaults() {
    CliOptions o = parse("--epochs", "3", "--overwrite", "--out", "dir");

    assertThat(o.integer("epochs", 10)).isEqualTo(3);
    assertThat(o.decimal("rate", 0.5f)).isEqualTo(0.5f);
    assertThat(o.path("out", Path.of("x"))).isEqualTo(Path.of("dir"));
    assertThat(o.text("name", null)).isNull();
    assertThat(o.flag("overwrite")).isTrue();
    assertThat(parse().flag("overwrite")).isFalse();
  }

  @Test
  void a_repeated_option_keeps_its_last_value() {
    assertThat(parse("--epochs", "3", "--epochs", "4").integer("epochs", 10)).isEqualTo(4);
  }

  @Test
  void errors_name_the_option_and_show_the_usage_where_it_helps() {
    assertThatThrownBy(() -> parse("--epoch", "3")).hasMessage("unknown option --epoch\nusage: x");
    assertThatThrownBy(() -> parse("3")).hasMessage("unexpected argument '3'\nusage: x");
    assertThatThrownBy(() -> parse("--epochs")).hasMessage("--epochs needs a value");
    assertThatThrownBy(() -> parse("--epochs", "ten").integer("epochs", 1))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("--epochs ten: not a number\nusage: x");
    assertThatThrownBy(() -> parse("--rate", "fast").decimal("rate", 1)).hasMessageStartingWith("--rate fast:");
  }

  @Test
  void a_value_parser_reports_bad_numbers_by_option_and_keeps_its_own_errors() {
    CliOptions o = parse("--name", "1,x");

    assertThatThrownBy(() -> o.value("name", null, s -> Integer.parseInt(s.split(",")[1])))
        .hasMessageStartingWith("--name 1,x: not a number");
    assertThatThrownBy(() -> o.value("name", null, s -> {
      throw new IllegalArgumentException("two counts");
    })).hasMessage("two counts");
    int parts = parse().value("name", "a-b", s -> s.split("-").length);
    assertThat(parts).isEqualTo(2);
  }

  @Test
  void a_pair_of_counts_is_two_numbers_around_its_separator() {
    assertThat(parse("--name", "32, 64").integerPair("name", "1,2", ",", "two")).containsExactly(32, 64);
    assertThat(parse().integerPair("name", "1-4", "-", "two")).containsExactly(1, 4);
    assertThatThrownBy(() -> parse("--name", "1-2-3").integerPair("name", null, "-", "MIN-MAX")).hasMessage("MIN-MAX");
    assertThatThrownBy(() -> parse("--name", "1-x").integerPair("name", null, "-", "MIN-MAX"))
        .hasMessageStartingWith("--name 1-x: not a number");
  }

  @Test
  void peek_finds_the_last_value_without_knowing_the_other_options() {
    String[] args = {"--model", "fashion-mnist", "--overwrite", "--whatever", "1", "stray", "--model", "language-id"};

    assertThat(CliOptions.peek(args, "model", FLAGS)).contains("language-id");
    // --overwrite is a flag, so the --model after it is a name, not its value.
    assertThat(CliOptions.peek(new String[] {"--overwrite", "--model", "language-id"}, "model", FLAGS))
        .contains("language-id");
    assertThat(CliOptions.peek(new String[] {"--epochs", "3", "--model"}, "model", FLAGS)).isEmpty();
  }
}
