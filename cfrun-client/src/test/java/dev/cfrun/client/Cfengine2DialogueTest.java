package dev.cfrun.client;

import dev.cfrun.client.ReplyLine.Kind;
import dev.cfrun.client.keys.KeyDigest;
import dev.cfrun.client.keys.KeyFiles;
import dev.cfrun.client.keys.KeyFixtures;
import dev.cfrun.client.internal.keys.RsaKeys;
import dev.cfrun.fakeserver.FakeCfServerd;
import dev.cfrun.fakeserver.FakeCfServerd.Admit;
import dev.cfrun.fakeserver.FakeCfServerd.Session;
import dev.cfrun.client.internal.transport.Frames;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPublicKey;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The CFEngine 2 dialect against a fake cfservd 2.2.10 ({@link FakeCfServerd#cfengine2()}), which plays what
 * src/cfservd.c of v2.2.10 does: classic protocol only, client keys checked by file name ({@code <user>-<ip>.pub}),
 * EXEC checks (identity, AllowUsers, RSA auth, admit rule for the cfrunCommand) answered with CF_FAILEDSTR and
 * a close, class data in one transaction, {@code <cfrunCommand> --no-splay --inform <args>}, output lines without
 * prefix or exit code, the terminator, then a close; every header it sends has garbage after its NUL.
 */
class Cfengine2DialogueTest extends FakeServerFixture {
    private static final String CMD = FakeCfServerd.CF2_CFRUNCOMMAND + " --no-splay --inform";
    private static final String FAILED = "BAD: Unspecified server refusal (see verbose server output)";

    @Override
    protected FakeCfServerd startFake() throws IOException {
        return FakeCfServerd.cfengine2();
    }

    @Override
    protected void prepare() {
        fake.clientKey(CfRunClient.localUserName(), tc.identity.publicKey());
        trustAsCfengine2(fake.publicKey()); // the server key as cfrun 2.x stored it: ppkeys/root-127.0.0.1.pub
    }

    /** cfrun 2.x names server keys by address: ppkeys/root-&lt;ip&gt;.pub. */
    private void trustAsCfengine2(RSAPublicKey key) {
        try {
            Path f = tc.ppkeys.resolve("root-127.0.0.1.pub");
            Files.writeString(f, RsaKeys.writePublic(key), StandardCharsets.US_ASCII);
            Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private CfRunClient client() {
        client = tc.client(Protocol.CLASSIC);
        return client;
    }

    private RunRequest.Builder request() {
        return RunRequest.builder(fake.hostSpec()).dialect(ServerDialect.CFENGINE2);
    }

    private static List<Kind> kinds(List<ReplyLine> lines) {
        return lines.stream().map(ReplyLine::kind).toList();
    }

    /** The argument string cfservd reads from what cfrun 2.x sends: "EXEC %s %s" of host and cfrun options. */
    private static String cfrunArgs(String hostOptions, List<String> cfrunOptions) {
        StringBuilder opts = new StringBuilder();
        for (String o : cfrunOptions) {
            opts.append(o).append(' '); // cfrun appends a space after every word
        }
        String exec = "EXEC " + hostOptions + " " + opts; // e.g. "EXEC  -v "
        return exec.substring(4).replaceFirst("^\\s+", ""); // sscanf("EXEC %[^\n]")
    }

    private static List<String> words(String s) {
        return Arrays.stream(s.strip().split("\\s+")).filter(w -> !w.isEmpty()).toList();
    }

    // ---- a run ----

    @Test
    void runWithOptionsReportsTheCommandAndPlainOutputWithoutExitCode() throws Exception {
        fake.agentOutput("cfengine:fakehost: Executing script /bin/true", "", "   \t", "cfengine:fakehost: Finished");

        RunResult r = client().run(request().agentOptions(List.of("-v")).build());

        assertEquals(List.of("cfengine:fakehost: Executing script /bin/true", "cfengine:fakehost: Finished"),
                r.outputLines(), "blank lines are not relayed; the rest arrives without '> '");
        assertEquals(List.of(Kind.COMMAND, Kind.OUTPUT, Kind.OUTPUT), kinds(r.lines()));
        assertEquals("cfengine:fakehost: Finished\n", r.lines().get(2).raw());
        assertEquals(CMD + " -v", r.command().orElseThrow());
        assertTrue(r.exitCode().isEmpty(), "cfservd 2.x sends no exit code");
        assertFalse(r.succeeded());
        assertEquals(2, r.outputLineCount());
        assertEquals(Protocol.CLASSIC, r.protocol());
        assertTrue(r.serverAuthenticated(), "root-<ip>.pub lets the client use the 'y' form");
        assertEquals(fake.digest(), r.serverKeyDigest());

        Session s = fake.session(0);
        assertEquals('y', s.sauthFlag);
        assertEquals("SAUTH y 256 37 c", s.sauthHeader, "cfservd reads only the first 4 tokens");
        assertEquals("CAUTH 127.0.0.1 " + TestClient.CLIENT_HOST_NAME + " " + client.user() + " 0", s.cauth);
        assertTrue(s.clientProvedKey);
        assertEquals(16, s.sessionKeyLength);
        assertEquals("EXEC -v", s.execLine);
        assertEquals("-v", s.execArgs);
        assertEquals(CMD + " -v", s.command);
        assertEquals(List.of(Frames.TERMINATOR), s.classTransactions, "no select classes: a lone terminator");
        assertTrue(s.end.startsWith("ran "), s.end);
    }

    @Test
    void withoutOptionsThereIsNoCommandLine() throws Exception {
        fake.agentOutput("cfengine:fakehost: Nothing to do");

        RunResult r = client().run(request().build());

        assertTrue(r.command().isEmpty(), "cfservd announces the command only when there are arguments");
        assertEquals(List.of(Kind.OUTPUT), kinds(r.lines()));
        assertEquals(List.of("cfengine:fakehost: Nothing to do"), r.outputLines());
        assertTrue(r.exitCode().isEmpty());
        Session s = fake.session(0);
        assertEquals("EXEC", s.execLine);
        assertEquals("", s.execArgs);
        assertEquals(CMD, s.command);
    }

    @Test
    void aSilentAgentWithoutOptionsIsACompletedRun() throws Exception {
        fake.agentOutput(); // cfagent --inform with nothing to do prints nothing: the reply is the terminator alone

        RunResult r = client().run(request().build());

        assertEquals(List.of(), r.lines());
        assertTrue(r.exitCode().isEmpty());
        assertEquals(CMD, fake.session(0).command);
    }

    @Test
    void agentOutputIsNeverReinterpreted() throws Exception {
        List<String> output = List.of("> a line of diff output", "(exit code: 0)", "BAD: printed by a script",
                "cfservd Executing something else", "Hello x (1.2.3.4), nothing relevant to do here...", "last");
        fake.agentOutput(output.toArray(String[]::new));

        RunResult r = client().run(request().agentOptions(List.of("-v")).build());

        assertEquals(output, r.outputLines(), "after the command line everything is the agent's, verbatim");
        assertTrue(r.exitCode().isEmpty(), "an agent line cannot make up an exit code: " + r.exitCode());
        assertEquals(CMD + " -v", r.command().orElseThrow());
    }

    @Test
    void agentOptionsReachTheServerAsCfrunSendsThem() throws Exception {
        List<String> opts = List.of("-v", "-k", "-D", "a,b");

        RunResult r = client().run(request().agentOptions(opts).build());

        Session s = fake.session(0);
        String cfrun = cfrunArgs("", opts); // cfrun 2.x: "EXEC  -v -k -D a,b "
        assertEquals("-v -k -D a,b ", cfrun);
        assertEquals(cfrun.strip(), s.execArgs, "the same arguments, without cfrun's extra blanks");
        assertEquals(words(CMD + " " + cfrun), words(s.command), "the agent gets the same argv as from cfrun");
        assertEquals(CMD + " -v -k -D a,b", r.command().orElseThrow());
    }

    @Test
    void classesAndHostOptionsComeFirst() throws Exception {
        client().run(request().defineClasses("web", "db").agentOptions(List.of("-q", "-v")).build());
        Session s = fake.session(0);
        assertEquals("EXEC -D web,db -q -v", s.execLine);
        assertEquals(words(cfrunArgs("-D web,db -q", List.of("-v"))), words(s.execArgs));
    }

    @Test
    void cfservdBlanksLockAndFileOptions() throws Exception {
        RunResult r = client().run(request()
                .agentOptions(List.of("-K", "-f", "/tmp/evil.conf", "--no-lock", "--file", "x.conf", "-v")).build());
        Session s = fake.session(0);
        assertEquals("-K -f /tmp/evil.conf --no-lock --file x.conf -v", s.execArgs);
        assertEquals(List.of(FakeCfServerd.CF2_CFRUNCOMMAND, "--no-splay", "--inform", "/tmp/evil.conf", "x.conf", "-v"),
                words(r.command().orElseThrow()), "the options go, their values stay");
    }

    // ---- class data ----

    @Test
    void selectClassesGoInOneTransactionWithTheTerminator() throws Exception {
        fake.definedClasses("linux");

        RunResult r = client().run(request().selectClasses("solaris", "linux").build());

        assertEquals(List.of("fake agent output"), r.outputLines());
        Session s = fake.session(0);
        assertEquals(List.of("solaris linux " + Frames.TERMINATOR), s.classTransactions);
        assertArrayEquals(Frames.encode(("solaris linux " + Frames.TERMINATOR).getBytes(StandardCharsets.US_ASCII)),
                s.execFrames.get(1), "as cfrun's SendClassData: no NUL");
        assertEquals(List.of("solaris", "linux"), s.selectClasses);
        assertTrue(s.terminatorReceived);
    }

    @Test
    void classExpressionsAreEvaluatedByTheServer() throws Exception {
        fake.definedClasses("linux", "debian");
        client().run(request().selectClasses("solaris|debian.linux").build());
        assertTrue(fake.session(0).end.startsWith("ran "), fake.session(0).end);
    }

    @Test
    void nothingRelevantToDoHereIsARefusal() throws Exception {
        fake.definedClasses("linux");

        ServerRefusedException e = assertThrows(ServerRefusedException.class,
                () -> client().run(request().selectClasses("solaris", "hpux").build()));

        String text = e.serverText().orElseThrow();
        assertEquals("Hello " + TestClient.CLIENT_HOST_NAME + " (127.0.0.1), nothing relevant to do here...", text);
        assertTrue(String.join("\n", e.likelyCauses()).contains("solaris,hpux"), e.likelyCauses().toString());
        Session s = fake.session(0);
        assertEquals("class match failed", s.end);
        assertNull(s.command, "nothing ran");
    }

    @Test
    void cfservdAlsoAcceptsThreeXStyleClassTransactions() throws Exception {
        fake.definedClasses("linux");
        // a 3.x-style client: one transaction per class, then the terminator alone
        RunRequest cf3Style = RunRequest.builder(fake.hostSpec()).selectClasses("solaris", "linux").build();

        RunResult r = client().run(cf3Style);

        Session s = fake.session(0);
        assertEquals(List.of("solaris", "linux"), s.classTransactions, "accepted at the first defined class");
        assertEquals(CMD, s.command);
        assertEquals(List.of("fake agent output"), r.lines().stream().map(ReplyLine::text).toList());
    }

    // ---- refusals ----

    @ParameterizedTest
    @ValueSource(strings = {"allowusers", "admit", "nocfruncommand"})
    void execRefusalIsBadThenAClose(String why) throws Exception {
        switch (why) {
            case "allowusers" -> fake.allowUsers("root-only-" + CfRunClient.localUserName());
            case "admit" -> fake.admit(new Admit("/var/cfengine/bin", List.of("10.0.0.0/8", "*.example.com")));
            default -> fake.cfrunCommand(null);
        }

        ServerRefusedException e = assertThrows(ServerRefusedException.class,
                () -> client().run(request().agentOptions(List.of("-v")).selectClasses("linux").build()));

        assertEquals(FAILED, e.serverText().orElseThrow());
        assertEquals(List.of(Kind.REFUSAL), kinds(e.linesReceived()));
        assertTrue(String.join("\n", e.likelyCauses()).contains("AllowUsers (cfservd.conf"), e.likelyCauses().toString());
        Session s = fake.session(0);
        assertTrue(s.end.startsWith("refused: "), s.end);
        assertTrue(s.end.endsWith("(closed with unread data: reset)"), "our class data was never read: " + s.end);
        assertFalse(s.terminatorReceived);
        assertNull(s.command);
    }

    @Test
    void noCfrunCommandDefinedIsARefusal() throws Exception {
        fake.cfrunCommandLostInReload(true);

        ServerRefusedException e = assertThrows(ServerRefusedException.class,
                () -> client().run(request().agentOptions(List.of("-v")).build()));

        assertEquals("Exec request: no cfrunCommand defined", e.serverText().orElseThrow());
        assertEquals("no command run", fake.session(0).end);
    }

    @Test
    void aCommandLineTooLongForCfservdIsARefusal() throws Exception {
        // fits in one EXEC transaction (4068 bytes), but cfservd refuses more than 4096 bytes with its command
        List<String> opts = new ArrayList<>();
        for (char c = 'a'; c < 'e'; c++) {
            opts.add("-D" + String.valueOf(c).repeat(1013));
        }

        ServerRefusedException e = assertThrows(ServerRefusedException.class,
                () -> client().run(request().agentOptions(opts).build()));

        assertTrue(e.serverText().orElseThrow().startsWith("Command line too long with args: " + CMD),
                e.serverText().orElseThrow());
        assertNull(fake.session(0).command);
    }

    // ---- cut-offs ----

    @Test
    void cfservdDyingMidRunIsNotACompletedRun() throws Exception {
        // a line of 4088 bytes or more makes SendTransaction call FatalError: cfservd exits without a terminator
        fake.agentOutput("line one", "x".repeat(5000), "never sent");

        ConnectionLostException e = assertThrows(ConnectionLostException.class,
                () -> client().run(request().agentOptions(List.of("-v")).build()));

        assertEquals(List.of(Kind.COMMAND, Kind.OUTPUT), kinds(e.linesReceived()));
        assertEquals("line one", e.linesReceived().get(1).text());
        assertTrue(fake.crashed());
    }

    // ---- keys ----

    @Test
    void serverKeyTrustedOnlyAsRootIpPubIsUsedForTheYForm() throws Exception {
        Map<String, String> before = tc.ppkeysSnapshot();
        assertEquals(List.of("localhost.priv", "localhost.pub", "root-127.0.0.1.pub"), List.copyOf(before.keySet()));

        RunResult r = client().run(request().build());

        assertTrue(r.serverAuthenticated());
        assertFalse(r.newlyTrusted());
        Session s = fake.session(0);
        assertEquals('y', s.sauthFlag);
        assertTrue(s.clientProvedKey);
    }

    @Test
    void aDifferentKeyAtThatAddressIsAChangedServerKey() throws Exception {
        RSAPublicKey old = TestClient.pub(FakeCfServerd.otherKeys());
        trustAsCfengine2(old);
        client = tc.client(Protocol.CLASSIC, TrustPolicy.trustOnFirstUse()); // TOFU never overrides a known key
        Map<String, String> before = tc.ppkeysSnapshot();

        ChangedServerKeyException e = assertThrows(ChangedServerKeyException.class, () -> client.run(request().build()));

        assertEquals(KeyDigest.md5(old), e.expectedDigest());
        assertEquals(fake.digest(), e.presentedDigest());
        assertTrue(e.getMessage().contains("root-127.0.0.1.pub"), e.getMessage());
        List<Session> sessions = fake.finishedSessions();
        assertEquals('y', sessions.get(0).sauthFlag);
        assertTrue(sessions.get(0).end.startsWith("RSA authentication failed"), sessions.get(0).end);
        for (Session s : sessions) {
            assertNull(s.execLine, "nothing executed: " + s);
            assertFalse(s.clientProvedKey, "no proof to an unproven server: " + s);
        }
        assertEquals(before, tc.ppkeysSnapshot());
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void cfservdRefusingOurKey(boolean storedKeyDiffers) throws Exception {
        FakeCfServerd other = FakeCfServerd.cfengine2(); // has no key for us, or another one under our name
        try {
            if (storedKeyDiffers) {
                other.clientKey(CfRunClient.localUserName(), TestClient.pub(FakeCfServerd.otherKeys()));
            }
            client = tc.client(Protocol.CLASSIC);
            AuthenticationFailedException e = assertThrows(AuthenticationFailedException.class,
                    () -> client.run(RunRequest.builder(other.hostSpec()).dialect(ServerDialect.CFENGINE2).build()));
            assertEquals(storedKeyDiffers ? "BAD: keys did not match" : "BAD: key could not be accepted on trust",
                    e.serverText().orElseThrow());
            for (Session s : other.finishedSessions()) {
                assertNull(s.execLine);
            }
        } finally {
            other.close();
        }
    }

    @Test
    void unknownClientKeyAcceptedOnTrustByTheServer() throws Exception {
        FakeCfServerd trusting = FakeCfServerd.cfengine2().trustAnyClient(true); // TrustKeysFrom
        try {
            trustAsCfengine2(trusting.publicKey());
            client = tc.client(Protocol.CLASSIC);
            RunRequest req = RunRequest.builder(trusting.hostSpec()).dialect(ServerDialect.CFENGINE2).build();
            client.run(req);
            client.run(req);
            assertEquals(client.clientDigest(), trusting.session(1).clientDigest());
            assertTrue(trusting.session(1).end.startsWith("ran "));
        } finally {
            trusting.close();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"server", "client"})
    void aCfengine2KeyWithExponent35Works(String side) throws Exception {
        RSAPrivateCrtKey e35 = RsaKeys.readPrivate(KeyFixtures.bytes("e35.priv"), null);
        assertEquals(35, e35.getPublicExponent().intValueExact());
        if (side.equals("server")) {
            fake.useKeys(new KeyPair(RsaKeys.publicOf(e35), e35));
            Files.delete(tc.ppkeys.resolve("root-127.0.0.1.pub"));
            client = tc.client(Protocol.CLASSIC, TrustPolicy.trustOnFirstUse());

            RunResult first = client.run(request().build()); // 'n': the key comes in S4/S5
            RunResult second = client.run(request().build()); // 'y': the nonce encrypted to e = 35

            assertTrue(first.newlyTrusted());
            assertEquals(KeyFixtures.E35_MD5, first.serverKeyDigest());
            assertEquals('n', fake.session(0).sauthFlag);
            assertEquals('y', fake.session(1).sauthFlag);
            assertTrue(second.serverAuthenticated());
        } else {
            // a cfkey 2.x key pair: e = 35, the private key DES3-encrypted with "Cfengine passphrase"
            Path pp = KeyFiles.ppkeys(dir);
            Files.write(pp.resolve(KeyFiles.PRIVATE_FILE), KeyFixtures.bytes("e35-des3.priv"));
            Files.write(pp.resolve(KeyFiles.PUBLIC_FILE), KeyFixtures.bytes("e35.pub"));
            fake.clientKey(CfRunClient.localUserName(), KeyFixtures.e35Public());
            client = tc.client(Protocol.CLASSIC);
            assertEquals(KeyFixtures.E35_MD5, client.clientDigest());

            client.run(request().build());

            Session s = fake.session(0);
            assertEquals(35, s.clientKey.getPublicExponent().intValueExact());
            assertTrue(s.clientProvedKey, "S3 encrypted to e = 35, answered by the client");
            assertEquals(16, s.sessionKeyLength);
        }
    }

    // ---- protocol choice and request checks ----

    @Test
    void aTlsClientHelloIsAnEmptyTransactionToCfservd() throws Exception {
        client = tc.client(Protocol.TLS);
        CfRunException e = assertThrows(CfRunException.class, () -> client.run(RunRequest.builder(fake.hostSpec()).build()));
        assertTrue(e.kind() == ErrorKind.REFUSED || e.kind() == ErrorKind.PROTOCOL, e.toString());
        Session s = fake.session(0);
        assertTrue(s.end.startsWith("empty transaction: cfservd terminating NULL transmission"), s.end);
        assertNull(s.cauth);
    }

    @Test
    void autoFallsBackToClassicButACfengine2RequestNeverTriesTls() throws Exception {
        client = tc.client(Protocol.AUTO);
        client.run(RunRequest.builder(fake.hostSpec()).build());
        assertEquals(2, fake.finishedSessions().size(), "TLS first, then classic");
        assertNull(fake.session(0).cauth);

        client.run(request().build());
        assertEquals(3, fake.finishedSessions().size(), "CFENGINE2: straight to classic");
        assertEquals("EXEC", fake.session(2).execLine);

        client.close();
        client = tc.client(Protocol.TLS);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> client.run(request().build()));
        assertTrue(e.getMessage().contains("classic"), e.getMessage());
    }

    @Test
    void requestsMixingTheDialectsAreRejectedAtBuildTime() {
        IllegalArgumentException bundles = assertThrows(IllegalArgumentException.class,
                () -> request().bundles("fix_httpd").build());
        assertTrue(bundles.getMessage().contains("CFEngine 2 has no bundles"), bundles.getMessage());

        IllegalArgumentException opts = assertThrows(IllegalArgumentException.class,
                () -> RunRequest.builder(fake.hostSpec()).agentOptions(List.of("-k")).build());
        assertTrue(opts.getMessage().contains("[-k]") && opts.getMessage().contains("CFEngine 2"), opts.getMessage());

        assertThrows(IllegalArgumentException.class, () -> request().agentOptions(List.of("two words")));
    }
}
