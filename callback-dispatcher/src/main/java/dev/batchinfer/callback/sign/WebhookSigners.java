package dev.batchinfer.callback.sign;

import dev.batchinfer.config.Env;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Which secrets sign a tenant's webhooks: its own from TENANT_WEBHOOK_SECRETS
 * ({@code tenant=whsec_new|whsec_old;other=whsec_x}), else the default WEBHOOK_SECRETS.
 */
public final class WebhookSigners {

  private final WebhookSigner fallback;
  private final Map<String, WebhookSigner> byTenant;

  public WebhookSigners(WebhookSigner fallback, Map<String, WebhookSigner> byTenant) {
    this.fallback = fallback;
    this.byTenant = Map.copyOf(byTenant);
  }

  /**
   * @param tenantSecrets {@code tenant=whsec_...|whsec_...} entries separated by {@code ;}, each
   *     tenant's secrets newest first; a tenant not named signs with {@code defaultSecrets}
   */
  public static WebhookSigners parse(List<String> defaultSecrets, String tenantSecrets) {
    Map<String, WebhookSigner> byTenant = new HashMap<>();
    for (String entry : tenantSecrets.split(";")) {
      if (entry.isBlank()) {
        continue;
      }
      int eq = entry.indexOf('=');
      if (eq < 1) {
        throw new Env.SettingException("TENANT_WEBHOOK_SECRETS entries must be tenant=whsec_...|whsec_..., separated by ;");
      }
      List<String> secrets = Arrays.stream(entry.substring(eq + 1).split("\\|")).map(String::trim)
          .filter(s -> !s.isEmpty()).toList();
      byTenant.put(entry.substring(0, eq).trim(), new WebhookSigner(secrets));
    }
    return new WebhookSigners(new WebhookSigner(defaultSecrets), byTenant);
  }

  public WebhookSigner forTenant(String tenant) {
    return byTenant.getOrDefault(tenant, fallback);
  }
}
