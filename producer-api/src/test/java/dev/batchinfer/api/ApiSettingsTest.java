package dev.batchinfer.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.batchinfer.api.auth.ApiKeys;
import dev.batchinfer.api.testing.ApiClient;
import dev.batchinfer.config.Env;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ApiSettingsTest {

  private static ApiSettings settings(String... pairs) {
    Map<String, String> env = new HashMap<>(Map.of("API_KEYS", ApiClient.API_KEYS));
    for (int i = 0; i < pairs.length; i += 2) {
      env.put(pairs[i], pairs[i + 1]);
    }
    return ApiSettings.from(Env.of(env));
  }

  @Test
  void an_upload_timeout_above_the_brokers_transaction_limit_is_refused_at_start() {
    assertThatThrownBy(() -> settings("UPLOAD_TIMEOUT", "20m"))
        .isInstanceOf(Env.SettingException.class)
        .hasMessageContaining("UPLOAD_TIMEOUT")
        .hasMessageContaining("transaction.max.timeout.ms")
        .hasMessageContaining("KAFKA_TRANSACTION_MAX_TIMEOUT");
    assertThat(settings("UPLOAD_TIMEOUT", "15m").uploads().timeout()).isEqualTo(Duration.ofMinutes(15));
  }

  @Test
  void a_broker_that_allows_longer_transactions_allows_longer_uploads() {
    ApiSettings s = settings("UPLOAD_TIMEOUT", "40m", "KAFKA_TRANSACTION_MAX_TIMEOUT", "1h");
    assertThat(s.uploads().timeout()).isEqualTo(Duration.ofMinutes(40));
    assertThat(s.uploadTransactionTimeout()).isEqualTo(Duration.ofMinutes(40).plus(s.kafka().submitTimeout()));
  }

  @Test
  void upload_transactions_never_ask_the_broker_for_more_than_it_allows() {
    assertThat(settings("UPLOAD_TIMEOUT", "15m").uploadTransactionTimeout()).isEqualTo(Duration.ofMinutes(15));
    assertThat(settings().uploadTransactionTimeout()).isEqualTo(Duration.ofMinutes(10).plusSeconds(10));
  }

  @Test
  void a_default_completion_window_longer_than_the_request_topics_keep_records_is_refused_at_start() {
    assertThatThrownBy(() -> settings("COMPLETION_WINDOW", "45d")).isInstanceOf(Env.SettingException.class)
        .hasMessageContaining("COMPLETION_WINDOW").hasMessageContaining("30d");
    assertThat(settings("COMPLETION_WINDOW", "30d").batches().completionWindow()).isEqualTo(Duration.ofDays(30));
  }

  @Test
  void the_rate_window_must_fit_in_the_upload_timeout() {
    assertThatThrownBy(() -> settings("UPLOAD_RATE_WINDOW", "11m")).isInstanceOf(Env.SettingException.class)
        .hasMessageContaining("UPLOAD_RATE_WINDOW");
    assertThat(settings().uploads().guard()).isEqualTo(new dev.batchinfer.api.submit.UploadGuard.Limits(
        Duration.ofMinutes(10), 10_000, Duration.ofSeconds(30)));
  }

  @Test
  void a_tenant_rate_that_is_not_a_positive_number_is_refused_at_start_naming_it() {
    assertThatThrownBy(() -> settings("RATE_ITEMS_PER_SECOND", "0")).isInstanceOf(Env.SettingException.class)
        .hasMessageContaining("RATE_ITEMS_PER_SECOND").hasMessageContaining("'0'");
    assertThatThrownBy(() -> settings("MAX_QUEUED_ITEMS", "lots")).isInstanceOf(Env.SettingException.class)
        .hasMessageContaining("MAX_QUEUED_ITEMS");
    assertThat(settings("RATE_REQUESTS_PER_SECOND", "0.5").tenantLimits().requests().burst()).isEqualTo(1.0);
  }

  @Test
  void the_item_burst_admits_the_largest_batch_and_bounds_an_ndjson_upload() {
    ApiSettings s = settings("MAX_BATCH_ITEMS", "5000", "RATE_ITEMS_BURST", "100", "MAX_NDJSON_ITEMS", "9000");
    assertThat(s.tenantLimits().items().burst()).isEqualTo(5000);
    assertThat(s.uploads().maxNdjsonItems()).isEqualTo(5000);
  }

  @Test
  void api_keys_come_from_the_variable_and_the_file_and_a_malformed_entry_is_refused_without_its_hash(
      @TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("keys"), "# operators\n" + ApiKeys.entry("ops-2", true, "file-key") + "\n");
    ApiKeys keys = settings("API_KEYS_FILE", file.toString()).apiKeys();
    assertThat(keys.lookup(ApiClient.KEY_A)).hasValueSatisfying(p -> assertThat(p.tenant()).isEqualTo("tenant-a"));
    assertThat(keys.lookup("file-key")).hasValueSatisfying(p -> assertThat(p.tenant()).isEqualTo("ops-2"));
    assertThat(keys.lookup("no-such-key")).isEmpty();

    String hash = ApiKeys.sha256Hex("k");
    assertThatThrownBy(() -> settings("API_KEYS", "tenant:owner:" + hash)).isInstanceOf(Env.SettingException.class)
        .hasMessageContaining("API_KEYS").hasMessageNotContaining(hash);
    assertThatThrownBy(() -> settings("API_KEYS", " ")).isInstanceOf(Env.SettingException.class)
        .hasMessageContaining("no API keys");
  }
}
