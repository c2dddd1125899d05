package dev.cfrun.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The README's seed scenario, for real: the monitoring user "nagios" has its own key (made by our
 * generator); the web server's admin trusts that key for the user nagios (cf-key -t nagios@ip:key), lets
 * that key run the agent (admit_keys) and lets nagios define nagios_* classes (roles); the event handler's
 * call is {@code cfrun -f ~/cfrun.hosts webserver -- -D nagios_http_critical}.
 */
class SeedScenarioIT {
    @TempDir
    Path tmp;

    @Test
    void nagiosUserHailsTheWebServerFromAHostsFile() throws Exception {
        ClientWorkdir nagios = ClientWorkdir.withOurKeys(tmp.resolve("nagios-home/.cfrun"));
        String policy = """
                bundle agent main
                {
                  reports:
                    nagios_http_critical::
                      "restarting httpd because Nagios saw HTTP CRITICAL";
                    !nagios_http_critical::
                      "nothing to repair";
                }
                """;
        try (CfServerd web = CfServerd.builder(tmp.resolve("webserver")).trustKeysFrom().allowUsers("nagios")
                .admitKeys(nagios.digest).roles().agentPolicy(policy).start()) {
            web.trustClient(nagios.publicKey(), "nagios");
            assertTrue(Files.exists(web.workdir().resolve("ppkeys/nagios-" + nagios.digest + ".pub")));

            // the hosts file names the web server by a host name ("localhost" stands in for webserver.example.com)
            Path hosts = tmp.resolve("nagios-home/cfrun.hosts");
            Files.writeString(hosts, "# hosts Nagios may heal\nlocalhost:" + web.port() + "\n");

            // trust the server's key once, having compared its digest with cf-key -p on the server
            Proc.Result trust = nagios.cfrunCommand("trust", "--workdir", nagios.workdir.toString(), "--user", "nagios",
                    "--yes", "localhost:" + web.port());
            assertEquals(0, trust.exit(), trust::toString);
            assertTrue(trust.out().contains(web.digest()), trust.out());

            Proc.Result r = nagios.cfrun("--user", "nagios", "-f", hosts.toString(), "localhost",
                    "--", "-D", "nagios_http_critical");
            assertEquals(0, r.exit(), r::toString);
            assertTrue(r.out().contains("127.0.0.1> -> R: restarting httpd because Nagios saw HTTP CRITICAL"), r.out());
            assertTrue(r.out().contains("-D nagios_http_critical"), r.out());

            Proc.Result root = nagios.cfrun("--user", "root", "-H", web.hostPort());
            assertEquals(255, root.exit(), "the key is trusted for nagios only: " + root);
        }
    }
}
