package dev.batchinfer.embedded.proc;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * A set of CPUs in Linux list syntax ("1", "2-3,6"), to pin a process to with taskset. With
 * --inference-cpus the model runs on some cores and everything else on the others, as in a
 * deployment where the workers have machines of their own.
 */
public record CpuSet(BitSet cpus) {

  /** @throws IllegalArgumentException naming what is wrong with {@code list} */
  public static CpuSet parse(String list) {
    BitSet cpus = new BitSet();
    for (String part : list.split(",")) {
      String[] range = part.trim().split("-", -1);
      try {
        int from = Integer.parseInt(range[0].trim());
        int to = range.length == 2 ? Integer.parseInt(range[1].trim()) : from;
        if (range.length > 2 || from < 0 || to < from) {
          throw new NumberFormatException();
        }
        cpus.set(from, to + 1);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("'" + list + "' is not a CPU list such as 1 or 2-3,6 (at '" + part + "')");
      }
    }
    return new CpuSet(cpus);
  }

  /** CPUs 0 to {@code count} - 1. */
  public static CpuSet first(int count) {
    BitSet cpus = new BitSet();
    cpus.set(0, count);
    return new CpuSet(cpus);
  }

  public int size() {
    return cpus.cardinality();
  }

  /** These CPUs but {@code other}'s. */
  public CpuSet without(CpuSet other) {
    BitSet rest = (BitSet) cpus.clone();
    rest.andNot(other.cpus);
    return new CpuSet(rest);
  }

  /** Whether every CPU of this set is in {@code other}. */
  public boolean within(CpuSet other) {
    return without(other).size() == 0;
  }

  /** The CPUs this process may run on. */
  public static CpuSet ofThisProcess() {
    String out = taskset("-c", "-p", Long.toString(ProcessHandle.current().pid()));
    return parse(out.substring(out.lastIndexOf(':') + 1).trim()); // "pid 7's current affinity list: 0,1"
  }

  /** Moves every thread of this process to these CPUs; threads and processes it starts later inherit them. */
  public void pinThisProcess() {
    String[] args = {"-a", "-c", "-p", toString(), Long.toString(ProcessHandle.current().pid())};
    try {
      taskset(args);
    } catch (IllegalStateException e) {
      taskset(args); // a thread that ended while taskset went through the list fails it: once more
    }
  }

  private static String taskset(String... args) {
    List<String> cmd = new ArrayList<>(List.of("taskset"));
    cmd.addAll(List.of(args));
    return Command.run(cmd);
  }

  /** What runs a command on these CPUs only. */
  public List<String> taskset() {
    return List.of("taskset", "-c", toString());
  }

  @Override
  public String toString() {
    List<String> parts = new ArrayList<>();
    for (int from = cpus.nextSetBit(0); from >= 0; ) {
      int to = cpus.nextClearBit(from) - 1;
      parts.add(from == to ? Integer.toString(from) : from + "-" + to);
      from = cpus.nextSetBit(to + 1);
    }
    return String.join(",", parts);
  }
}
