package dev.cfrun.it;

import dev.cfrun.cli.Main;
import dev.cfrun.client.CfRunClient;
import dev.cfrun.client.KeyFileException;
import dev.cfrun.client.Protocol;
import dev.cfrun.client.Timeouts;
import dev.cfrun.client.keys.KeyFiles;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** A client-side CFEngine work dir: our identity and trusted server keys; runs our client and cf-runagent. */
final class ClientWorkdir {
    final Path workdir;
    final String digest;

    private ClientWorkdir(Path workdir, String digest) {
        this.workdir = workdir;
        this.digest = digest;
    }

    /** Keys made by the real cf-key. */
    static ClientWorkdir withCfKey(Path dir) {
        return new ClientWorkdir(dir, CfServerd.makeWorkdirWithCfKey(dir));
    }

    /** Keys made by our own generator. */
    static ClientWorkdir withOurKeys(Path dir) {
        try {
            String d = KeyFiles.generate(dir, 2048).digest();
            Files.createDirectories(dir.resolve("inputs"));
            CfServerd.linkBin(dir);
            return new ClientWorkdir(dir, d);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    Path publicKey() {
        return workdir.resolve("ppkeys/localhost.pub");
    }

    Path ppkeys() {
        return workdir.resolve("ppkeys");
    }

    /** The admin's way to trust a server key: {@code cf-key -t <ip>:<server pub>}. */
    ClientWorkdir trustWithCfKey(CfServerd server) {
        // (the address only feeds cf-key's lastseen database; an IPv6 literal would not parse there)
        Proc.check(List.of(Peers.CF_KEY.toString(), "-t", "127.0.0.1:" + server.publicKey()), CfServerd.env(workdir));
        return this;
    }

    /**
     * cf-runagent's classic protocol on 127.0.0.1/::1 looks the server key up under the client's OWN digest
     * (a quirk of the C client; we do not copy it). Needed only to run cf-runagent for comparison.
     */
    ClientWorkdir cfRunagentLoopbackQuirk(CfServerd server) {
        try {
            Path f = ppkeys().resolve("root-" + digest + ".pub");
            Files.deleteIfExists(f);
            Files.copy(server.publicKey(), f);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    CfRunClient.Builder clientBuilder(Protocol protocol) {
        return CfRunClient.builder().workdir(workdir).protocol(protocol)
                .timeouts(Timeouts.builder().connect(Duration.ofSeconds(10)).handshake(Duration.ofSeconds(10))
                        .idle(Duration.ofSeconds(60)).build());
    }

    CfRunClient client(Protocol protocol) {
        try {
            return clientBuilder(protocol).build();
        } catch (KeyFileException e) {
            throw new AssertionError(e);
        }
    }

    /** Runs cf-runagent against a server with the given protocol_version ("classic" or "latest"). */
    Proc.Result cfRunagent(CfServerd server, String protocolVersion, String... extra) {
        try {
            Path f = workdir.resolve("inputs/runagent-" + protocolVersion + ".cf");
            Files.createDirectories(f.getParent());
            Files.writeString(f, "body common control\n{\n      protocol_version => \"" + protocolVersion + "\";\n}\n");
            List<String> cmd = new ArrayList<>(List.of(Peers.CF_RUNAGENT.toString(), "-t", "10", "-f", f.toString(),
                    "-H", server.hostPort()));
            cmd.addAll(List.of(extra));
            return Proc.run(cmd, CfServerd.env(workdir), Duration.ofSeconds(120));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Our CLI, in process, with this work dir. */
    Proc.Result cfrun(String... args) {
        List<String> all = new ArrayList<>(List.of("--workdir", workdir.toString()));
        all.addAll(List.of(args));
        return cfrunCommand(all.toArray(new String[0]));
    }

    /** Our CLI, in process, exactly these arguments (for subcommands, which take their own --workdir). */
    Proc.Result cfrunCommand(String... args) {
        List<String> all = List.of(args);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
             PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            rc = Main.run(all.toArray(new String[0]), o, e);
        }
        return new Proc.Result(rc, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** A listing of the ppkeys directory (to prove nothing was written). */
    List<String> ppkeysListing() {
        try (var s = Files.list(ppkeys())) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
