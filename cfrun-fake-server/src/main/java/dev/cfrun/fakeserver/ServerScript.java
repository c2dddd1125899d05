package dev.cfrun.fakeserver;

import dev.cfrun.fakeserver.FakeCfServerd.Admit;
import dev.cfrun.fakeserver.FakeCfServerd.ClassicFault;
import dev.cfrun.fakeserver.FakeCfServerd.Opening;
import dev.cfrun.fakeserver.FakeCfServerd.Reply;
import dev.cfrun.fakeserver.FakeCfServerd.Session;
import dev.cfrun.fakeserver.FakeCfServerd.Stage;
import dev.cfrun.fakeserver.FakeCfServerd.TlsSupport;

import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * What a {@link FakeCfServerd} does, as the test scripted it: each setting is read by each connection as it
 * goes, so a test may change one between two runs. The setters return the server, for chaining.
 */
public abstract sealed class ServerScript permits FakeCfServerd {
    ServerScript() {
    }

    final Set<String> allowedClients = ConcurrentHashMap.newKeySet();
    volatile boolean trustAnyClient;
    volatile Stage closeAt;
    volatile Opening opening = Opening.NORMAL;
    volatile TlsSupport tlsSupport = TlsSupport.YES;
    volatile boolean classicAllowed = true;
    volatile ClassicFault classicFault = ClassicFault.NONE;
    volatile String versionLine = "CFE_v3 cf-serverd 3.21.0";
    volatile String keyReply = "OK: key accepted";
    volatile String[] tlsProtocols = {"TLSv1.3", "TLSv1.2"};
    volatile Duration trickleInterval = Duration.ofMillis(300);
    volatile Function<Session, Reply> reply = s -> Reply.ok(0, "fake agent output");

    // @formatter:off
    /** Client keys this server trusts (its ppkeys); any other is refused, as without trustkeysfrom. */
    public FakeCfServerd allowClient(RSAPublicKey key) { allowedClients.add(Wire.md5(key)); return self(); }
    /** trustkeysfrom: accept any client key. */
    public FakeCfServerd trustAnyClient(boolean any) { trustAnyClient = any; return self(); }
    public FakeCfServerd closeAt(Stage stage) { closeAt = stage; return self(); }
    public FakeCfServerd opening(Opening o) { opening = o; return self(); }
    public FakeCfServerd tlsSupport(TlsSupport t) { tlsSupport = t; return self(); }
    /** allowlegacyconnects: if false, classic connections are dropped after the peek. */
    public FakeCfServerd classicAllowed(boolean allowed) { classicAllowed = allowed; return self(); }
    public FakeCfServerd classicFault(ClassicFault f) { classicFault = f; return self(); }
    /** The TLS version line without its LF, e.g. {@code CFE_v2 cf-serverd 3.14.0}. */
    public FakeCfServerd versionLine(String line) { versionLine = line; return self(); }

    volatile int cutAfter = -1;

    /**
     * Hangs up after sending exactly this many bytes of the dialogue (TLS: application bytes; classic: TCP
     * bytes), wherever that falls: inside a header, a payload, a line. -1 (the default) never.
     */
    public FakeCfServerd cutAfter(int bytes) { cutAfter = bytes; return self(); }
    /** The classic S1 text; one starting with {@code BAD} ends the dialogue. */
    public FakeCfServerd keyReply(String text) { keyReply = text; return self(); }
    public FakeCfServerd tlsProtocols(String... p) { tlsProtocols = p.clone(); return self(); }
    public FakeCfServerd trickleInterval(Duration d) { trickleInterval = d; return self(); }
    public FakeCfServerd reply(Reply r) { reply = s -> r; return self(); }
    /** A reply computed from what the client asked (its EXEC line, select classes). */
    public FakeCfServerd reply(Function<Session, Reply> f) { reply = f; return self(); }
    // @formatter:on

    // ---- CFEngine 2 (cfservd 2.2.10) ----
    volatile String cfrunCommand = FakeCfServerd.CF2_CFRUNCOMMAND;
    volatile boolean cfrunCommandLostInReload;
    final Set<String> allowUsers = ConcurrentHashMap.newKeySet();
    final List<Admit> admits = new CopyOnWriteArrayList<>();
    final Set<String> definedClasses = ConcurrentHashMap.newKeySet();
    final Map<String, RSAPublicKey> clientKeyFiles = new ConcurrentHashMap<>();
    volatile boolean hostnameKeys;
    volatile Function<Session, List<String>> agentOutput = s -> List.of("fake agent output");

    {
        allowUsers.add(System.getProperty("user.name", "root")); // what a client claims by default
        admits.add(new Admit("/var/cfengine/bin", List.of("127.0.0.1")));
        definedClasses.addAll(List.of("any", "linux", "debian"));
    }

    // @formatter:off
    /**
     * CFEngine 2: {@code cfrunCommand}, an absolute path and optional arguments; null = not defined (then the
     * {@code admit:} check on its empty path refuses every EXEC, as cfservd does).
     */
    public FakeCfServerd cfrunCommand(String command) {
        if (command != null && !command.startsWith("/")) {
            throw new IllegalArgumentException("cfservd refuses to start: $(cfrunCommand) does not expand to an absolute filename");
        }
        cfrunCommand = command;
        return self();
    }
    /**
     * CFEngine 2: the race in which cfservd re-reads cfservd.conf while an EXEC is served: the admit check still
     * sees the old cfrunCommand path, but the variable is gone when the command is built, so cfservd answers
     * {@code Exec request: no cfrunCommand defined} (the only way to get that text from 2.2.10).
     */
    public FakeCfServerd cfrunCommandLostInReload(boolean lost) { cfrunCommandLostInReload = lost; return self(); }
    /** CFEngine 2: {@code AllowUsers} (exact names); default: the local user name, which clients claim by default. */
    public FakeCfServerd allowUsers(String... users) { allowUsers.clear(); allowUsers.addAll(List.of(users)); return self(); }
    /** CFEngine 2: replaces the {@code admit:} rules (default: {@code /var/cfengine/bin 127.0.0.1}). */
    public FakeCfServerd admit(Admit... rules) { admits.clear(); admits.addAll(List.of(rules)); return self(); }
    /** CFEngine 2: the classes defined on the server, for the class match ({@code any} is always defined). */
    public FakeCfServerd definedClasses(String... classes) {
        definedClasses.clear();
        definedClasses.add("any");
        definedClasses.addAll(List.of(classes));
        return self();
    }
    /**
     * CFEngine 2: a client key file {@code ppkeys/<keyName>.pub} of the server; cfservd looks up
     * {@code <user>-<client ip>} ({@code <user>-<CAUTH host name>} with {@link #hostnameKeys}). An unknown key is
     * accepted only with {@link #trustAnyClient} (TrustKeysFrom), which then stores it under that name.
     */
    public FakeCfServerd clientKeyFile(String keyName, RSAPublicKey key) { clientKeyFiles.put(keyName, key); return self(); }
    /** CFEngine 2: {@code ppkeys/<user>-127.0.0.1.pub}, as cfservd stores a key it accepted from this user. */
    public FakeCfServerd clientKey(String user, RSAPublicKey key) { return clientKeyFile(user + "-127.0.0.1", key); }
    /** CFEngine 2: the HostnameKeys option (client keys named by the CAUTH host name instead of the address). */
    public FakeCfServerd hostnameKeys(boolean on) { hostnameKeys = on; return self(); }
    /** CFEngine 2: what the agent prints, line by line without newlines (stdout and stderr merged). */
    public FakeCfServerd agentOutput(String... lines) { List<String> l = List.of(lines); agentOutput = s -> l; return self(); }
    /** CFEngine 2: the agent's output computed from what the client asked ({@link Session#command} etc.). */
    public FakeCfServerd agentOutput(Function<Session, List<String>> f) { agentOutput = f; return self(); }
    // @formatter:on

    private FakeCfServerd self() {
        return (FakeCfServerd) this;
    }

    /** The server trusts this client key: any key with {@link #trustAnyClient}, else one {@link #allowClient} named. */
    boolean clientAllowed(RSAPublicKey key) {
        return trustAnyClient || (key != null && allowedClients.contains(Wire.md5(key)));
    }
}
