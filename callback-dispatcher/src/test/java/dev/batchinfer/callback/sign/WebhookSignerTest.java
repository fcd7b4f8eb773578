package dev.batchinfer.callback.sign;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class WebhookSignerTest {

  // The Standard Webhooks specification's published example, reproduced by its reference libraries.
  private static final String SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
  private static final String ID = "msg_p5jXN8AQM9LWM0D4loKWxJek";
  private static final long TIMESTAMP = 1614265330;
  private static final String BODY = "{\"test\": 2432232314}";
  private static final String EXPECTED = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";
  private static final Instant THEN = Instant.ofEpochSecond(TIMESTAMP);
  private static final Duration TOLERANCE = Duration.ofMinutes(5);

  @Test
  void reproduces_the_specification_test_vector() {
    assertThat(new WebhookSigner(List.of(SECRET)).sign(ID, TIMESTAMP, BODY)).isEqualTo(EXPECTED);
    assertThat(new WebhookSigner(List.of(SECRET.substring(6))).sign(ID, TIMESTAMP, BODY)).isEqualTo(EXPECTED);
  }

  @Test
  void during_rotation_both_secrets_sign_and_a_receiver_with_either_verifies() {
    String next = WebhookSigner.newSecret(new SecureRandom());
    String header = new WebhookSigner(List.of(next, SECRET)).sign(ID, TIMESTAMP, BODY);

    assertThat(header.split(" ")).hasSize(2).contains(EXPECTED);
    assertThat(new WebhookSigner(List.of(SECRET)).verify(ID, TIMESTAMP, BODY, header, THEN, TOLERANCE)).isTrue();
    assertThat(new WebhookSigner(List.of(next)).verify(ID, TIMESTAMP, BODY, header, THEN, TOLERANCE)).isTrue();
  }

  @Test
  void tampered_body_wrong_secret_other_id_and_stale_timestamp_fail() {
    WebhookSigner signer = new WebhookSigner(List.of(SECRET));
    assertThat(signer.verify(ID, TIMESTAMP, BODY, EXPECTED, THEN, TOLERANCE)).isTrue();
    assertThat(signer.verify(ID, TIMESTAMP, "{\"test\": 2432232315}", EXPECTED, THEN, TOLERANCE)).isFalse();
    assertThat(signer.verify("msg_other", TIMESTAMP, BODY, EXPECTED, THEN, TOLERANCE)).isFalse();
    assertThat(new WebhookSigner(List.of(WebhookSigner.newSecret(new SecureRandom())))
        .verify(ID, TIMESTAMP, BODY, EXPECTED, THEN, TOLERANCE)).isFalse();
    assertThat(signer.verify(ID, TIMESTAMP, BODY, EXPECTED, THEN.plus(Duration.ofMinutes(6)), TOLERANCE)).isFalse();
    assertThat(signer.verify(ID, TIMESTAMP, BODY, "v1,not-base64!", THEN, TOLERANCE)).isFalse();
  }

  @Test
  void a_secret_that_is_not_base64_is_refused() {
    assertThatThrownBy(() -> new WebhookSigner(List.of("whsec_***"))).hasMessageContaining("base64");
    assertThatThrownBy(() -> new WebhookSigner(List.of())).isInstanceOf(IllegalArgumentException.class);
  }
}
