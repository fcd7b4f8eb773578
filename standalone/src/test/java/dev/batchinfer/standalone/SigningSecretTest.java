package dev.batchinfer.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SigningSecretTest {

  @TempDir
  Path data;

  @Test
  void a_secret_the_operator_gave_is_never_printed_only_where_it_came_from() {
    Map<String, String> vars = new HashMap<>(Map.of("WEBHOOK_SECRETS", "whsec_operatorsOwn,whsec_older"));
    SigningSecret s = SigningSecret.settle(vars, data.resolve("webhook-secret"), () -> "whsec_made");
    assertThat(s.banner()).doesNotContain("whsec_").contains("WEBHOOK_SECRETS");
    assertThat(vars).containsEntry("WEBHOOK_SECRETS", "whsec_operatorsOwn,whsec_older");
    assertThat(data.resolve("webhook-secret")).doesNotExist();
  }

  @Test
  void a_secret_made_up_is_printed_used_and_kept_for_the_next_start() throws Exception {
    Path file = data.resolve("webhook-secret");
    Map<String, String> vars = new HashMap<>(Map.of("WEBHOOK_SECRETS", " "));
    SigningSecret s = SigningSecret.settle(vars, file, () -> "whsec_made");
    assertThat(s.banner()).startsWith("whsec_made").contains(file.toString());
    assertThat(vars).containsEntry("WEBHOOK_SECRETS", "whsec_made");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");

    Map<String, String> again = new HashMap<>();
    SigningSecret restarted = SigningSecret.settle(again, file, () -> "whsec_other");
    assertThat(again).containsEntry("WEBHOOK_SECRETS", "whsec_made");
    assertThat(restarted.secrets()).isEqualTo("whsec_made");
  }
}
