package dev.batchinfer.callback.deliver;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LoggedUrlTest {

  @Test
  void query_string_user_information_and_fragment_are_left_out() {
    assertThat(LoggedUrl.of("https://alice:pw@hooks.example.com:8443/a/b?token=s3cret&x=1#top"))
        .isEqualTo("https://hooks.example.com:8443/a/b");
  }

  @Test
  void the_port_is_always_named() {
    assertThat(LoggedUrl.of("https://hooks.example.com/in?sig=abc")).isEqualTo("https://hooks.example.com:443/in");
    assertThat(LoggedUrl.of("http://127.0.0.1/")).isEqualTo("http://127.0.0.1:80/");
    assertThat(LoggedUrl.of("https://[2001:db8::1]?k=v")).isEqualTo("https://[2001:db8::1]:443/");
  }

  @Test
  void a_url_that_does_not_parse_is_not_logged_at_all() {
    assertThat(LoggedUrl.of("http://x/ a?token=s3cret")).doesNotContain("s3cret");
    assertThat(LoggedUrl.of(null)).isEqualTo("(no URL)");
  }
}
