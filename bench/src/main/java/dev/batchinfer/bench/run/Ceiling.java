package dev.batchinfer.bench.run;

import dev.batchinfer.embedded.proc.ChildJvm;
import dev.batchinfer.embedded.proc.CpuSet;

import dev.batchinfer.models.ModelCatalog;
import dev.batchinfer.models.ModelConfig;
import java.nio.file.Path;
import java.util.stream.Collectors;
import dev.batchinfer.worker.infer.ModelRunner;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The model's own limit: the SavedModel called directly in a loop, no queue, no I/O. Tried at
 * several batch sizes and two thread layouts (one caller with all cores inside each TensorFlow op,
 * or one caller per core with single-threaded ops and an inter-op thread each), each in a fresh
 * JVM; the best is the ceiling the pipeline is held against.
 */
public final class Ceiling {

  /** One measured layout. */
  public record Point(int batchSize, int callers, int intraOpThreads, double itemsPerSecond) {
    /** TensorFlow's inter-op pool: one thread per caller, as the worker sets it by default. */
    public int interOpThreads() {
      return callers;
    }
  }

  /** The best point and every point tried. */
  public record Result(String model, Point best, List<Point> tried) {
    public Map<String, Object> json() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("model", model);
      m.put("best_items_per_second", Math.round(best.itemsPerSecond()));
      m.put("best_batch_size", best.batchSize());
      m.put("best_callers", best.callers());
      m.put("best_intra_op_threads", best.intraOpThreads());
      m.put("tried", tried.stream().map(p -> Map.of("batch_size", p.batchSize(), "callers", p.callers(),
          "intra_op_threads", p.intraOpThreads(), "items_per_second", Math.round(p.itemsPerSecond()))).toList());
      return m;
    }
  }

  private Ceiling() {}

  /**
   * Measures each thread layout in a JVM of its own: TensorFlow sizes its process-wide thread pools
   * from the first session it creates, so a second layout in the same process would silently run
   * with the first one's pools.
   *
   * @param bothLayouts false: only one caller with every core inside each op (a smoke run's)
   */
  public static Result measure(ModelConfig config, Path artifacts, int[] batchSizes, long millisPerPoint, Path dir,
      CpuSet cpus, boolean bothLayouts) {
    int cores = cpus != null ? cpus.size() : Runtime.getRuntime().availableProcessors();
    List<Point> tried = new ArrayList<>();
    int[][] layouts = cores > 1 && bothLayouts ? new int[][] {{1, cores}, {cores, 1}} : new int[][] {{1, cores}};
    for (int[] layout : layouts) {
      double[] rates = inFreshJvm(config, artifacts, layout[0], layout[1], batchSizes, millisPerPoint, dir, cpus);
      for (int i = 0; i < batchSizes.length; i++) {
        tried.add(new Point(batchSizes[i], layout[0], layout[1], rates[i]));
      }
    }
    Point best = tried.stream().max(java.util.Comparator.comparingDouble(Point::itemsPerSecond)).orElseThrow();
    return new Result(config.id(), best, tried);
  }

  /**
   * The best point measured again, now: set beside a pipeline run made just before, it shares that
   * minute's machine (on a shared VM the same loop drifts by 10-20 % between minutes).
   */
  public static double again(ModelConfig config, Path artifacts, Point best, long millis, Path dir, CpuSet cpus) {
    return inFreshJvm(config, artifacts, best.callers(), best.intraOpThreads(), new int[] {best.batchSize()}, millis, dir,
        cpus)[0];
  }

  /** @param cpus where the model runs (the workers' CPUs), or null for anywhere */
  private static double[] inFreshJvm(ModelConfig config, Path artifacts, int callers, int intraOpThreads,
      int[] batchSizes, long millisPerPoint, Path dir, CpuSet cpus) {
    String sizes = java.util.Arrays.stream(batchSizes).mapToObj(Integer::toString).collect(Collectors.joining(","));
    Map<String, String> env = Map.of("MODEL_ARTIFACTS", artifacts.toString(), "MODEL", config.model(),
        "MODEL_VERSION", config.version(), "CALLERS", Integer.toString(callers), "INTRA_OP_THREADS",
        Integer.toString(intraOpThreads), "BATCH_SIZES", sizes, "MILLIS", Long.toString(millisPerPoint),
        "TF_CPP_MIN_LOG_LEVEL", "2");
    String name = "ceiling-" + config.model() + "-" + config.version() + "-" + callers + "x" + intraOpThreads;
    try (ChildJvm jvm = ChildJvm.start(name, Ceiling.class.getName(), "512m", List.of("-XX:+UseG1GC"), env, dir, 0, cpus)) {
      double[] rates = java.util.Arrays.stream(jvm.awaitLastLine(RESULT, java.time.Duration.ofMinutes(5)).split(","))
          .mapToDouble(Double::parseDouble).toArray();
      // Below 1.0, something else on the machine took cores from the loop while it was measured.
      log.info("{} at batch sizes {}: {} items/s, using {} of the cores", name, sizes,
          java.util.Arrays.stream(rates).mapToObj(r -> Long.toString(Math.round(r))).collect(Collectors.joining(",")),
          jvm.awaitLastLine(CORES, java.time.Duration.ofMinutes(1)));
      return rates;
    }
  }

  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(Ceiling.class);
  private static final String RESULT = "items/s at each batch size: ";
  private static final String CORES = "share of the cores used at each batch size: ";

  /** The child: one layout, every batch size, one result line. */
  public static void main(String[] args) {
    ModelConfig config = ModelCatalog.load(Path.of(System.getenv("MODEL_ARTIFACTS")))
        .find(System.getenv("MODEL"), System.getenv("MODEL_VERSION")).orElseThrow();
    int callers = Integer.parseInt(System.getenv("CALLERS"));
    long millis = Long.parseLong(System.getenv("MILLIS"));
    List<String> rates = new ArrayList<>();
    List<String> shares = new ArrayList<>();
    var os = (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
    String[] sizes = System.getenv("BATCH_SIZES").split(",");
    try (ModelRunner runner = new ModelRunner(config, Integer.parseInt(System.getenv("INTRA_OP_THREADS")), callers)) {
      warmUp(runner, Integer.parseInt(sizes[0]), callers);
      for (String size : sizes) {
        long cpu = os.getProcessCpuTime();
        long wall = System.nanoTime();
        rates.add(Double.toString(run(runner, Integer.parseInt(size), callers, millis)));
        shares.add(String.format(java.util.Locale.ROOT, "%.2f",
            (os.getProcessCpuTime() - cpu) / (double) (System.nanoTime() - wall) / os.getAvailableProcessors()));
      }
    }
    System.out.println(CORES + String.join(",", shares));
    System.out.println(RESULT + String.join(",", rates));
  }

  /**
   * Runs the loop until the JIT compilers go quiet, or {@link #WARM_UP_MAX_MILLIS}: in a fresh JVM
   * they compile the very loop being measured, on the same cores, and a ceiling measured while they
   * do comes out too low.
   */
  static void warmUp(ModelRunner runner, int size, int callers) {
    java.lang.management.CompilationMXBean jit = java.lang.management.ManagementFactory.getCompilationMXBean();
    long deadline = System.nanoTime() + WARM_UP_MAX_MILLIS * 1_000_000;
    long compiled = jit.getTotalCompilationTime();
    do {
      run(runner, size, callers, WARM_UP_SLICE_MILLIS);
      long before = compiled;
      compiled = jit.getTotalCompilationTime();
      if (compiled - before < QUIET_COMPILE_MILLIS) {
        return;
      }
    } while (System.nanoTime() < deadline);
  }

  static final long WARM_UP_MAX_MILLIS = 3000;
  static final long WARM_UP_SLICE_MILLIS = 500;
  /** Compiling time in one slice below which the compilers count as quiet (5 % of it). */
  static final long QUIET_COMPILE_MILLIS = 25;

  /** Items per second of {@code callers} threads each calling the model with {@code size} items. */
  public static double run(ModelRunner runner, int size, int callers, long millis) {
    int itemBytes = runner.config().input().payloadBytes();
    byte[] inputs = new byte[size * itemBytes];
    SplittableRandom random = new SplittableRandom(size);
    for (int i = 0; i < size; i++) {
      byte[] one = itemBytes == 784 ? Bodies.image(random) : new byte[itemBytes];
      System.arraycopy(one, 0, inputs, i * itemBytes, itemBytes);
    }
    for (int i = 0; i < 3; i++) {
      runner.predict(inputs, size); // warm up: first calls allocate and plan
    }
    ExecutorService pool = Executors.newFixedThreadPool(callers);
    AtomicLong items = new AtomicLong();
    long start = System.nanoTime();
    long end = start + millis * 1_000_000;
    try {
      List<Future<?>> running = new ArrayList<>();
      for (int c = 0; c < callers; c++) {
        running.add(pool.submit(() -> {
          while (System.nanoTime() < end) {
            runner.predict(inputs, size);
            items.addAndGet(size);
          }
        }));
      }
      for (Future<?> f : running) {
        f.get();
      }
    } catch (Exception e) {
      throw new IllegalStateException("model loop failed: " + e.getMessage(), e);
    } finally {
      pool.shutdown();
    }
    return items.get() * 1e9 / (System.nanoTime() - start);
  }
}
