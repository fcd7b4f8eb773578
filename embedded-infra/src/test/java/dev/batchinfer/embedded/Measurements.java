package dev.batchinfer.embedded;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Figures for the report: printed and appended to target/measurements.txt. */
final class Measurements {
    private Measurements() {
    }

    static void record(String what, Object value) {
        String line = "MEASURE " + what + " = " + value;
        System.out.println(line);
        try {
            Files.writeString(Path.of("target", "measurements.txt"), line + System.lineSeparator(),
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException ignored) {
            // Printing is enough.
        }
    }

    static void heap(String when) {
        Runtime rt = Runtime.getRuntime();
        record("heap " + when, String.format("max %d MB, used %d MB, jvm args %s",
                rt.maxMemory() >> 20, (rt.totalMemory() - rt.freeMemory()) >> 20,
                ManagementFactory.getRuntimeMXBean().getInputArguments()));
        try {
            Files.readAllLines(Path.of("/proc/self/status")).stream()
                    .filter(l -> l.startsWith("VmRSS") || l.startsWith("VmHWM"))
                    .forEach(l -> record(l.split(":")[0] + " " + when, l.split(":")[1].strip()));
        } catch (IOException ignored) {
            // Not Linux.
        }
    }
}
