package dev.batchinfer.observability;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.producer.Producer;

/**
 * The process's one meter registry, in Prometheus form, with the JVM, GC and process binders. Every
 * service of the process registers on it; the services' own meters carry the service in their
 * names ({@code batchinfer_api_...}, {@code batchinfer_worker_...}), so a standalone process that
 * runs all of them still has one name per meter.
 */
public final class Metrics implements AutoCloseable {

  private final MeterRegistry registry;
  private final PrometheusMeterRegistry prometheus; // null when disabled
  private final List<AutoCloseable> bindings = new ArrayList<>();

  /** A registry that counts, in Prometheus form, without the JVM binders (tests; hosts that bind their own). */
  public Metrics() {
    this.prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    this.registry = prometheus;
  }

  private Metrics(MeterRegistry noOp) {
    this.prometheus = null;
    this.registry = noOp;
  }

  /**
   * A registry that counts nothing (METRICS_ENABLED=false): a composite with no registry under it
   * hands out no-op meters. The benchmark's P8 runs the worker so, to measure what counting costs.
   */
  public static Metrics disabled() {
    return new Metrics(new io.micrometer.core.instrument.composite.CompositeMeterRegistry());
  }

  public static Metrics forProcess() {
    Metrics m = new Metrics();
    // Two of ProcessorMetrics' names break Prometheus conventions (promtool says so): CPU time in
    // nanoseconds, and a gauge ending in _count. Their conventional forms are registered instead.
    m.registry.config().meterFilter(MeterFilter.deny(id -> id.getName().equals("process.cpu.time")
        || id.getName().equals("system.cpu.count")));
    if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
      FunctionCounter.builder("process.cpu", os, o -> o.getProcessCpuTime() / 1e9).baseUnit("seconds")
          .description("CPU time the process has used").register(m.registry);
    }
    Gauge.builder("system.cpus", Runtime.getRuntime(), Runtime::availableProcessors)
        .description("processors available to the JVM").register(m.registry);
    new JvmMemoryMetrics().bindTo(m.registry);
    JvmGcMetrics gc = new JvmGcMetrics();
    gc.bindTo(m.registry);
    m.bindings.add(gc);
    new JvmThreadMetrics().bindTo(m.registry);
    new ClassLoaderMetrics().bindTo(m.registry);
    new ProcessorMetrics().bindTo(m.registry);
    new UptimeMetrics().bindTo(m.registry);
    new FileDescriptorMetrics().bindTo(m.registry);
    return m;
  }

  public MeterRegistry registry() {
    return registry;
  }

  /** The scrape in the Prometheus text format, version 0.0.4 (empty when disabled). */
  public String scrape() {
    return prometheus == null ? "" : prometheus.scrape();
  }

  /** Kafka's own client metrics (fetch rates, lag, request latency) for as long as the client lives. */
  public void bind(Consumer<?, ?> consumer) {
    KafkaClientMetrics m = new KafkaClientMetrics(consumer);
    m.bindTo(registry);
    synchronized (bindings) {
      bindings.add(m);
    }
  }

  public void bind(Producer<?, ?> producer) {
    KafkaClientMetrics m = new KafkaClientMetrics(producer);
    m.bindTo(registry);
    synchronized (bindings) {
      bindings.add(m);
    }
  }

  @Override
  public void close() {
    synchronized (bindings) {
      for (AutoCloseable b : bindings) {
        try {
          b.close();
        } catch (Exception ignored) {
          // closing a binder only stops its scheduler
        }
      }
      bindings.clear();
    }
    registry.close();
  }
}
