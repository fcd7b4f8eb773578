package dev.batchinfer.config.callback;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class CallbackPolicyTest {

  private final CallbackPolicy strict = CallbackPolicy.STRICT;
  private final CallbackPolicy dev = new CallbackPolicy(true, List.of(CallbackPolicy.Cidr.parse("127.0.0.0/8")));

  @ParameterizedTest
  @ValueSource(strings = {
      "https://127.0.0.1/hook",
      "https://2130706433/hook",          // decimal
      "https://0177.0.0.1/hook",          // octal
      "https://0x7f.0.0.1/hook",          // hex
      "https://0x7f000001/hook",
      "https://127.1/hook",               // short form
      "https://[::1]/hook",
      "https://[::ffff:127.0.0.1]/hook",  // IPv4-mapped
      "https://[::ffff:7f00:1]/hook",
      "https://[0:0:0:0:0:0:0:1]/hook",
      "https://localhost/hook",
      "https://localhost./hook",          // trailing dot
      "https://LOCALHOST/hook",
      "https://api.localhost/hook",
      "https://user@127.0.0.1/hook",      // userinfo
      "https://example.com@127.0.0.1/hook",
      "https://169.254.169.254/latest/meta-data/",
      "https://metadata.google.internal/computeMetadata/v1/",
      "https://100.100.100.200/latest/meta-data/",
      "https://[fd00:ec2::254]/latest/meta-data/",
      "https://10.0.0.1/hook",
      "https://172.16.5.4/hook",
      "https://192.168.1.1/hook",
      "https://[fd12:3456::1]/hook",      // unique-local
      "https://[fe80::1]/hook",           // link-local
      "https://224.0.0.1/hook",           // multicast
      "https://[ff02::1]/hook",
      "https://0.0.0.0/hook",
      "https://[::]/hook",
      "http://93.184.216.34/hook",        // plain http
      "ftp://93.184.216.34/hook",
      "not a url",
      "https:///no-host"})
  void forbidden_callback_urls_are_rejected_in_every_spelling(String url) {
    assertThatThrownBy(() -> strict.checkUrl(url)).isInstanceOf(RejectedCallbackException.class);
  }

  @Test
  void public_https_urls_pass_and_keep_their_port_path_and_query() {
    CallbackPolicy.Target t = strict.checkUrl("https://hooks.example.com:8443/in/batch?token=a%20b");
    assertThat(t).isEqualTo(new CallbackPolicy.Target("https", "hooks.example.com", 8443, "/in/batch?token=a%20b"));
    assertThat(strict.checkUrl("https://93.184.216.34/").port()).isEqualTo(443);
  }

  @Test
  void the_allow_list_opens_exactly_its_ranges_and_http_only_when_allowed() throws Exception {
    assertThat(dev.checkUrl("http://127.0.0.1:9000/hook").port()).isEqualTo(9000);
    dev.checkAddress(InetAddress.getByName("127.0.0.2"));
    assertThatThrownBy(() -> dev.checkUrl("http://10.0.0.1/hook")).isInstanceOf(RejectedCallbackException.class);
    assertThatThrownBy(() -> dev.checkUrl("http://0177.0.0.1/hook")).hasMessageContaining("ambiguous");
  }

  @Test
  void an_invalid_url_is_refused_with_the_reason_and_place_but_not_the_url_and_its_secrets() {
    assertThatThrownBy(() -> strict.checkUrl("https://hooks.example.com/in?token=s3cret value"))
        .isInstanceOf(RejectedCallbackException.class)
        .hasMessageContaining("not a valid URL").hasMessageContaining("at character")
        .hasMessageNotContaining("s3cret");
  }

  @Test
  void resolving_a_name_that_points_at_loopback_is_rejected() {
    assertThatThrownBy(() -> strict.resolve(new CallbackPolicy.Target("https", "localhost", 443, "/")))
        .isInstanceOf(RejectedCallbackException.class)
        .hasMessageContaining("points at");
  }

  @Test
  void ipv4_mapped_ipv6_is_judged_as_the_ipv4_address() throws Exception {
    assertThat(CallbackPolicy.unmapped(InetAddress.getByName("::ffff:10.1.2.3")).getHostAddress()).isEqualTo("10.1.2.3");
    assertThat(CallbackPolicy.unmapped(InetAddress.getByName("2001:db8::1")).getHostAddress()).contains(":");
  }
}
