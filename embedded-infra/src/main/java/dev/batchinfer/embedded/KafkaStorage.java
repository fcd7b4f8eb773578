package dev.batchinfer.embedded;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

import org.apache.kafka.metadata.properties.MetaPropertiesEnsemble;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;

/** What `kafka-storage.sh format` does, in process: KRaft refuses to start on an unformatted dir. */
final class KafkaStorage {
    private KafkaStorage() {
    }

    static boolean isFormatted(Path logDir) {
        return Files.exists(logDir.resolve(MetaPropertiesEnsemble.META_PROPERTIES_NAME));
    }

    /** Formats {@code logDir} as node {@code nodeId} of cluster {@code clusterId}, unless already formatted (formatting twice fails). */
    static void formatIfNeeded(Path logDir, int nodeId, String clusterId) throws Exception {
        if (isFormatted(logDir)) {
            return;
        }
        Files.createDirectories(logDir);
        String dir = logDir.toAbsolutePath().toString();
        new Formatter()
                // The formatter narrates to stdout; nobody needs that in a test log.
                .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
                .setNodeId(nodeId)
                .setClusterId(clusterId)
                .setControllerListenerName(KafkaNodeConfig.CONTROLLER_LISTENER)
                .setDirectories(java.util.List.of(dir))
                // The metadata log lives in the single log dir (the default when metadata.log.dir is unset).
                .setMetadataLogDirectory(dir)
                .setReleaseVersion(MetadataVersion.latestProduction())
                .run();
    }
}
