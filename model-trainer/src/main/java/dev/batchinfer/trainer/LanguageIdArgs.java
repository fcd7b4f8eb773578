package dev.batchinfer.trainer;

public record LanguageIdArgs() {
  static final String MODEL = "language-id";
  static LanguageIdArgs parse(String... argv) { return new LanguageIdArgs(); }
}
