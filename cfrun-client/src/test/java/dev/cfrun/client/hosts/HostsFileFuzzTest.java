package dev.cfrun.client.hosts;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.code_intelligence.jazzer.api.FuzzedDataProvider;

import java.nio.file.Path;
import java.util.List;

/**
 * Fuzzes the cfrun.hosts parser, the host matching and the agent-option rules: only the parsers' own errors
 * ({@link HostsFileException}, {@link AgentOptionException}) or a parsed file with sane entries; any other
 * exception (NumberFormatException, PatternSyntaxException, InvalidPathException, …) is a finding. Includes
 * resolve relative to a directory that holds nothing, so every include is a clean error too. Seed inputs:
 * src/test/resources/dev/cfrun/client/hosts/HostsFileFuzzTestInputs/hostsFile/.
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
                if (!f.matches(e, e.name()) || !f.matches(e, e.address().toString())) {
                    throw new AssertionError("an entry does not match its own name " + e);
                }
                AgentOptions.parse(e.options()).requireCfengine3(e.origin(), null);
            }
            f.select(List.of());
            f.select(f.entries().stream().map(HostsFile.Entry::name).toList());
        } catch (HostsFileException | AgentOptionException expected) {
            // a clear error
        }
    }
}
