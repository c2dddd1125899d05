package dev.cfrun.cli;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.code_intelligence.jazzer.api.FuzzedDataProvider;

import java.nio.file.Path;
import java.util.List;

/**
 * Fuzzes the cfrun.hosts parser and the agent-option rules: only HostsFileException /
 * IllegalArgumentException (clear errors) or a parsed file with sane entries. Includes resolve relative to
 * a directory that holds nothing, so every include is a clean error too.
 */
class HostsFileFuzzTest {
    private static final Path NOWHERE = Path.of("/nonexistent-cfrun-fuzz");

    @FuzzTest(maxDuration = "30m")
    void hostsFile(FuzzedDataProvider data) {
        String text = data.consumeRemainingAsString();
        try {
            HostsFile f = HostsFile.parse(text, NOWHERE);
            for (HostsFile.Entry e : f.entries()) {
                if (e.address().host().isEmpty() || e.address().port() < 1 || e.address().port() > 65535) {
                    throw new AssertionError("bad entry " + e);
                }
                AgentOptions.parse(e.options());
            }
            f.select(List.of());
        } catch (HostsFile.HostsFileException | IllegalArgumentException expected) {
            // a clear error
        }
    }
}
