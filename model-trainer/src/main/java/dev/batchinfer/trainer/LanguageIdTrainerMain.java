package dev.batchinfer.trainer;

final class LanguageIdTrainerMain {
  static void run(LanguageIdArgs args) { throw new UnsupportedOperationException(); }
}
