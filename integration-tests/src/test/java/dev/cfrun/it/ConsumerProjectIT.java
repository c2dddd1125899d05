package dev.cfrun.it;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

import javax.xml.parsers.DocumentBuilderFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.ZipFile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The library as a Maven user gets it. {@code mvn deploy -Dgpg.keyname=FINGERPRINT
 * -DaltDeploymentRepository=local::file:DIR} of a copy of this source tree into a temporary directory: what a release
 * runs, signing included (the {@code release} profile on, maven-gpg-plugin signing every deployed file with gpg and a
 * throw-away key made for the test in a private {@code GNUPGHOME}; each signature is then checked with
 * {@code gpg --verify}). Then a tiny consumer project (test resources {@code consumer/}, not shipped) that imports
 * {@code cfrun-bom} and depends on {@code cfrun-client} is built by a separate {@code mvn -o} with an empty local
 * repository: cfrun's artifacts can only come from the deploy directory, everything else (plugins, slf4j-api) from
 * this machine's Maven repository with dev.cfrun taken out, read as a file:// mirror
 * ({@code -Daether.offline.protocols=file}: offline, and still a repository). Its program hails a real Debian
 * cf-serverd through the published jar.
 * <p>
 * The deploy step cannot run with {@code -o} (the deploy plugin refuses): its settings mirror every repository to the
 * same file:// view of the machine's repository, so nothing can come from the network, when that repository has the
 * deploy plugin; on a machine where it does not, the view first, then Maven Central. It has its own empty local
 * repository too: nothing of either build is written to the machine's.
 */
class ConsumerProjectIT {
    static final Path ROOT = Path.of(System.getProperty("user.dir")).toAbsolutePath().getParent();
    static final Path M2 = Path.of(System.getProperty("user.home"), ".m2", "repository");
    /** What is published, and nothing else: a new module must be marked maven.deploy.skip or added here. */
    static final Set<String> PUBLISHED = Set.of("cfrun-parent", "cfrun-bom", "cfrun-client", "cfrun-recheck");
    static final Set<String> LIBRARIES = Set.of("cfrun-client", "cfrun-recheck");

    @TempDir
    static Path tmp;
    static String version;
    static Path deployed;
    static Path tree;
    static Path seed;
    static Proc.Result deploy;
    /** The throw-away key's GnuPG home (under {@link #tmp}: short enough for gpg-agent's socket paths) and fingerprint. */
    static Path gnupgHome;
    static String fingerprint;

    @BeforeAll
    static void deploy() throws Exception {
        requireMaven();
        requireGpg();
        gnupgHome = Files.createDirectory(tmp.resolve("gnupg"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        fingerprint = newKey();
        String pom = Files.readString(ROOT.resolve("pom.xml"), StandardCharsets.UTF_8);
        version = first(pom, "<artifactId>cfrun-parent</artifactId>\\s*<version>([^<]+)</version>");
        String deployPlugin = first(pom, "<deploy-plugin.version>([^<]+)</deploy-plugin.version>");

        tree = tmp.resolve("src");
        copyTree(ROOT, tree);
        deployed = tmp.resolve("deployed");
        seed = seed(tmp.resolve("seed"));
        // with the deploy plugin at hand, every repository is the seed (nothing can come from the network);
        // without it (a machine whose repository never deployed), the seed first and then the usual registry
        boolean local = Files.isRegularFile(M2.resolve("org/apache/maven/plugins/maven-deploy-plugin/" + deployPlugin
                + "/maven-deploy-plugin-" + deployPlugin + ".jar"));
        Path settings = settings(tmp.resolve("deploy-settings.xml"), local ? "*" : null);
        // its own local repository: the build installs nothing (install skipped), and the deploy also records the
        // deployed SNAPSHOT's metadata in the local repository, which must not be the machine's.
        // -Dgpg.keyname turns the release profile on, as in a release; maven-gpg-plugin's default signer runs gpg
        // (finding the key through GNUPGHOME) and leaves the passphrase to gpg-agent, which the key does not need:
        // no -Dgpg.useagent, no --pinentry-mode loopback
        deploy = mvn(tree, List.of("-ntp", "-s", settings.toString(), "-Dmaven.repo.local=" + tmp.resolve("deploy-m2"),
                "deploy", "-pl", "cfrun-bom,cfrun-client,cfrun-recheck", "-am",
                "-DskipTests", "-Dcds.skip", "-Dmaven.install.skip=true", "-Dgpg.keyname=" + fingerprint,
                "-DaltDeploymentRepository=local::file:" + deployed),
                Map.of("GNUPGHOME", gnupgHome.toString()), Duration.ofSeconds(240));
        assertEquals(0, deploy.exit(), () -> "mvn deploy failed (the machine's repository only: " + local + ")\n" + tail(deploy));
    }

    @Test
    void deploysTheLibrariesWithSourcesAndJavadocAndNothingElse() throws Exception {
        Path group = deployed.resolve("dev/cfrun");
        Set<String> artifacts;
        try (Stream<Path> s = Files.list(group)) {
            artifacts = s.map(p -> p.getFileName().toString()).collect(Collectors.toCollection(TreeSet::new));
        }
        assertEquals(new TreeSet<>(PUBLISHED), artifacts);
        // a release deploys no test fixtures: cfrun-client's and cfrun-recheck's -tests.jar (test keys among them)
        try (Stream<Path> s = Files.walk(group)) {
            List<Path> tests = s.filter(f -> f.getFileName().toString().contains("-tests.")).toList();
            assertTrue(tests.isEmpty(), () -> "test fixtures deployed: " + tests);
        }
        Map<String, String> packageOwner = new HashMap<>();
        for (String a : LIBRARIES) {
            Path dir = group.resolve(a).resolve(version);
            assertNotNull(artifact(dir, a, ".pom"));
            try (ZipFile jar = new ZipFile(artifact(dir, a, ".jar").toFile());
                 ZipFile sources = new ZipFile(artifact(dir, a, "-sources.jar").toFile());
                 ZipFile javadoc = new ZipFile(artifact(dir, a, "-javadoc.jar").toFile())) {
                List<String> classes = entries(jar).stream().filter(n -> n.endsWith(".class")
                        && !n.contains("$") && !n.endsWith("module-info.class") && !n.endsWith("package-info.class"))
                        .toList();
                assertFalse(classes.isEmpty(), a);
                // no package in two libraries: both on a module path (client a module, recheck an automatic one)
                for (String c : classes) {
                    String pkg = c.substring(0, c.lastIndexOf('/'));
                    String other = packageOwner.putIfAbsent(pkg, a);
                    assertTrue(other == null || other.equals(a), () -> pkg + " is in " + a + " and in " + other);
                }
                for (String c : classes) {
                    assertNotNull(sources.getEntry(c.replace(".class", ".java")), () -> a + ": no source for " + c);
                }
                assertTrue(entries(javadoc).stream().anyMatch(n -> n.endsWith("index.html")), a + " javadoc");
                if (a.equals("cfrun-client")) {
                    assertNotNull(jar.getEntry("module-info.class"));
                    assertNotNull(sources.getEntry("module-info.java"));
                    // the API a user may call: the exported packages, not dev.cfrun.client.internal
                    assertTrue(entries(javadoc).stream().anyMatch(n -> n.endsWith("dev/cfrun/client/CfRunClient.html")));
                    assertTrue(entries(javadoc).stream().noneMatch(n -> n.contains("/internal/")),
                            "internal packages in the javadoc");
                }
            }
        }
    }

    @Test
    void signsEveryPublishedFileWithTheKeyAndAChangedFileFailsItsCheck() throws Exception {
        Path group = deployed.resolve("dev/cfrun");
        // what Maven Central requires to be signed: every POM, jar, sources and javadoc jar
        List<Path> required = new ArrayList<>();
        for (String a : PUBLISHED) {
            Path dir = group.resolve(a).resolve(version);
            required.add(artifact(dir, a, ".pom"));
            if (LIBRARIES.contains(a)) {
                for (String suffix : List.of(".jar", "-sources.jar", "-javadoc.jar")) {
                    required.add(artifact(dir, a, suffix));
                }
            }
        }
        // and so is every other file deployed, all but checksums and metadata (there should be none)
        List<Path> signed;
        try (Stream<Path> s = Files.walk(group)) {
            signed = s.filter(Files::isRegularFile).filter(f -> !f.getFileName().toString()
                    .matches("maven-metadata.*|.*\\.(asc|md5|sha1|sha256|sha512)")).sorted().toList();
        }
        assertTrue(signed.containsAll(required), () -> signed + " lacks some of " + required);
        for (Path f : signed) {
            Path asc = f.resolveSibling(f.getFileName() + ".asc");
            assertTrue(Files.isRegularFile(asc), () -> "no signature beside " + f + "\n" + tail(deploy));
            Proc.Result v = gpgVerify(asc, f);
            assertEquals(0, v.exit(), () -> f + ": " + v);
            assertTrue(v.out().contains("[GNUPG:] VALIDSIG " + fingerprint + " "), () -> f + ": " + v);
        }
        // one byte of a signed jar changed: its signature no longer holds
        Path jar = artifact(group.resolve("cfrun-client").resolve(version), "cfrun-client", ".jar");
        Path changed = Files.createDirectories(tmp.resolve("changed")).resolve(jar.getFileName());
        byte[] bytes = Files.readAllBytes(jar);
        bytes[bytes.length / 2] ^= 0x01;
        Files.write(changed, bytes);
        Proc.Result bad = gpgVerify(jar.resolveSibling(jar.getFileName() + ".asc"), changed);
        assertTrue(bad.exit() != 0, () -> "a changed jar passed: " + bad);
        assertFalse(bad.out().contains("VALIDSIG"), bad::toString);
        assertTrue(bad.out().contains("[GNUPG:] BADSIG "), bad::toString);
    }

    @Test
    void publishedPomsCarryWhatMavenCentralAsks() throws Exception {
        Path group = deployed.resolve("dev/cfrun");
        for (String a : List.of("cfrun-parent", "cfrun-bom")) {
            Element project = xml(artifact(group.resolve(a).resolve(version), a, ".pom"));
            for (String e : List.of("name", "description", "url", "licenses", "developers", "scm", "issueManagement")) {
                assertFalse(text(project, e).isBlank(), a + ": no <" + e + ">");
            }
            assertEquals("Apache-2.0", text(child(child(project, "licenses"), "license"), "name"), a);
            assertTrue(text(child(project, "scm"), "connection").startsWith("scm:git:"), a);
        }
        for (String a : LIBRARIES) {
            Element project = xml(artifact(group.resolve(a).resolve(version), a, ".pom"));
            assertFalse(text(project, "name").isBlank(), a);
            assertFalse(text(project, "description").isBlank(), a);
            assertEquals("cfrun-parent", text(child(project, "parent"), "artifactId"), a);
        }
        // the BOM names every library, at the project's version, and brings nothing of the parent's
        Element bom = xml(artifact(group.resolve("cfrun-bom").resolve(version), "cfrun-bom", ".pom"));
        assertTrue(child(bom, "parent") == null, "cfrun-bom must have no parent");
        assertEquals(version, text(bom, "version"));
        Set<String> managed = new TreeSet<>();
        NodeList deps = child(child(bom, "dependencyManagement"), "dependencies").getElementsByTagName("dependency");
        for (int i = 0; i < deps.getLength(); i++) {
            Element d = (Element) deps.item(i);
            assertEquals("dev.cfrun", text(d, "groupId"));
            assertEquals("${project.version}", text(d, "version"));
            managed.add(text(d, "artifactId"));
        }
        assertEquals(new TreeSet<>(LIBRARIES), managed);
    }

    @Test
    void theReleaseProfileIsOnWhenAKeyIsNamedAndOnlyThen() {
        // (its maven-gpg-plugin is resolved only when it is on, so validate shows it without signing anything)
        Proc.Result plain = mvn(tree, List.of("-o", "-N", "validate"), Duration.ofSeconds(60));
        assertEquals(0, plain.exit(), () -> tail(plain));
        assertFalse(plain.out().contains("(enforce-release)"), () -> tail(plain));

        Proc.Result keyed = mvn(tree, List.of("-o", "-N", "-Dgpg.keyname=0123ABCD", "validate"), Duration.ofSeconds(60));
        assertEquals(0, keyed.exit(), () -> tail(keyed));
        assertTrue(keyed.out().contains("(enforce-release) @ cfrun-parent"), () -> tail(keyed));

        Proc.Result noKey = mvn(tree, List.of("-o", "-N", "-Prelease", "validate"), Duration.ofSeconds(60));
        assertEquals(1, noKey.exit(), () -> tail(noKey));
        assertTrue(noKey.out().contains("name the key with -Dgpg.keyname=KEYID"), () -> tail(noKey));
    }

    @Test
    void aConsumerProjectResolvesTheLibraryFromTheDeployDirectoryAndHails() throws Exception {
        Path settings = settings(tmp.resolve("consumer-settings.xml"), "*,!cfrun-deploy");
        Path project = tmp.resolve("consumer");
        copyTree(Path.of(System.getProperty("user.dir"), "src/test/resources/consumer"), project);
        Path localRepo = tmp.resolve("consumer-m2");
        String repoUrl = deployed.toUri().toString().replaceAll("/+$", "");

        try (CfServerd server = CfServerd.builder(tmp.resolve("srv")).start()) {
            hail(server, settings, project, localRepo, repoUrl);
        }
    }

    private static void hail(CfServerd server, Path settings, Path project, Path localRepo, String repoUrl) {
        ClientWorkdir client = ClientWorkdir.withCfKey(tmp.resolve("client")).trustWithCfKey(server);
        Proc.Result r = mvn(project, List.of("-o", "-s", settings.toString(),
                "-Dmaven.repo.local=" + localRepo, "-Daether.offline.protocols=file",
                "-Dcfrun.repo=" + repoUrl, "-Dcfrun.version=" + version,
                "-Dhail.host=" + server.hostPort(), "-Dhail.workdir=" + client.workdir,
                "process-classes"), Duration.ofSeconds(120));
        assertEquals(0, r.exit(), () -> tail(r) + "\n--- server log\n" + server.log());
        assertTrue(r.out().contains("OUTPUT R: IT-REPORT main workdir=" + server.workdir()), () -> tail(r));
        assertTrue(r.out().contains("HAIL " + server.hostPort() + " protocol=TLS server=" + server.digest()
                + " exit=0"), () -> tail(r));
        // the class ran from the jar resolved into the empty local repository, which came from the deploy dir
        Path clientDir = localRepo.resolve("dev/cfrun/cfrun-client").resolve(version);
        assertTrue(r.out().contains("FROM file:" + clientDir + "/cfrun-client-"), () -> tail(r));
        assertTrue(r.out().contains("Downloaded from cfrun-deploy: " + repoUrl
                + "/dev/cfrun/cfrun-bom/"), () -> tail(r));
        assertTrue(r.out().contains("Downloaded from cfrun-deploy: " + repoUrl
                + "/dev/cfrun/cfrun-client/"), () -> tail(r));
        assertTrue(r.out().contains("Downloaded from cfrun-deploy: " + repoUrl
                + "/dev/cfrun/cfrun-parent/"), () -> tail(r));
        // what scripts/test.sh prints after the build: where the library came from, and the hail
        try {
            Files.writeString(Path.of(System.getProperty("user.dir"), "target", "consumer-hail.txt"),
                    r.out().lines()
                            .filter(l -> l.contains("Downloaded from cfrun-deploy: ") && l.contains("/dev/cfrun/")
                                    || l.startsWith("FROM ") || l.startsWith("HAIL ") || l.startsWith("OUTPUT "))
                            .map(l -> l.replaceFirst("^\\[INFO\\] ", "") + "\n")
                            .collect(Collectors.joining()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @AfterAll
    static void stopGpgAgent() throws InterruptedException {
        if (gnupgHome == null) {
            return;
        }
        // gpg started an agent for this home (making the key, then maven-gpg-plugin's gpg signing): stop it, and
        // whatever else of GnuPG runs for it, then make sure nothing of it is left (its command line names the
        // home, --homedir, or its environment does, GNUPGHOME)
        Proc.Result kill = Proc.run(List.of("gpgconf", "--kill", "all"), gpgEnv(), Duration.ofSeconds(30));
        List<String> left = Processes.mentioning(gnupgHome.toString());
        for (int i = 0; i < 50 && !left.isEmpty(); i++) {
            Thread.sleep(100);
            left = Processes.mentioning(gnupgHome.toString());
        }
        if (!left.isEmpty()) {
            List<String> killed = Processes.killAllMentioning(gnupgHome.toString());
            fail("GnuPG processes left for " + gnupgHome + " after gpgconf --kill all (" + kill + "), killed: "
                    + killed);
        }
        assertEquals(0, kill.exit(), kill::toString);
    }

    @AfterAll
    static void removeSeedLinks() throws IOException {
        // the links only, by hand (never what they point to: the machine's repository)
        if (seed != null) {
            try (Stream<Path> s = Files.walk(seed)) {
                for (Path p : s.filter(Files::isSymbolicLink).toList()) {
                    Files.delete(p);
                }
            }
        }
    }

    // ---

    /** The machine's Maven repository without dev.cfrun, to be read as a file:// repository (links, nothing copied). */
    static Path seed(Path dir) throws IOException {
        Files.createDirectories(dir.resolve("dev"));
        if (Files.isDirectory(M2)) {
            try (Stream<Path> s = Stream.concat(Files.list(M2), Files.isDirectory(M2.resolve("dev"))
                    ? Files.list(M2.resolve("dev")) : Stream.empty())) {
                for (Path p : s.toList()) {
                    String rel = M2.relativize(p).toString();
                    if (!rel.equals("dev") && !rel.equals("dev/cfrun")) {
                        Files.createSymbolicLink(dir.resolve(rel), p);
                    }
                }
            }
        }
        return dir;
    }

    /**
     * Settings whose repositories are the seed (no checksums there: a local repository keeps none). With
     * {@code mirrorOf}, every repository it names is the seed; without, the seed comes first and Maven Central
     * after it.
     */
    static Path settings(Path file, String mirrorOf) throws IOException {
        String url = seed.toUri().toString();
        String repo = "<id>" + (mirrorOf == null ? "seed" : "central") + "</id><url>" + url + "</url>"
                + "<releases><checksumPolicy>ignore</checksumPolicy></releases><snapshots><enabled>false</enabled></snapshots>";
        Files.writeString(file, "<settings>\n"
                + (mirrorOf == null ? "" : "  <mirrors><mirror><id>central</id><mirrorOf>" + mirrorOf
                        + "</mirrorOf><url>" + url + "</url></mirror></mirrors>\n")
                + "  <profiles><profile><id>seed</id>\n"
                + "    <repositories><repository>" + repo + "</repository></repositories>\n"
                + "    <pluginRepositories><pluginRepository>" + repo + "</pluginRepository></pluginRepositories>\n"
                + "  </profile></profiles>\n"
                + "  <activeProfiles><activeProfile>seed</activeProfile></activeProfiles>\n"
                + "</settings>\n");
        return file;
    }

    /** Fails under CI, skips elsewhere, when mvn is not on the PATH (the hail also needs cf-serverd: CfServerd). */
    static void requireMaven() {
        Proc.Result r = Proc.run(List.of("sh", "-c", "command -v mvn"), Map.of(), Duration.ofSeconds(10));
        if (r.exit() != 0) {
            Peers.missing("mvn not found on the PATH");
        }
    }

    /** Fails under CI, skips elsewhere, when GnuPG is not installed (the deploy signs, as a release does). */
    static void requireGpg() {
        Proc.Result r = Proc.run(List.of("sh", "-c", "command -v gpg && command -v gpg-agent && command -v gpgconf"), Map.of(),
                Duration.ofSeconds(10));
        if (r.exit() != 0) {
            Peers.missing("gpg not found on the PATH: install gnupg (scripts/test.sh does); the deploy signs");
        }
    }

    static Map<String, String> gpgEnv() {
        return Map.of("GNUPGHOME", gnupgHome.toString());
    }

    /**
     * A new RSA 3072 signing key in {@link #gnupgHome}, without a passphrase (batch, loopback pinentry, an empty
     * passphrase: no protection), never expiring; returns its fingerprint.
     */
    static String newKey() {
        Proc.check(List.of("gpg", "--batch", "--pinentry-mode", "loopback", "--passphrase", "",
                "--quick-gen-key", "cfrun test <test@invalid>", "rsa3072", "sign", "never"), gpgEnv());
        Proc.Result keys = Proc.check(List.of("gpg", "--batch", "--with-colons", "--list-secret-keys"), gpgEnv());
        List<String> fprs = keys.out().lines().filter(l -> l.startsWith("fpr:")).map(l -> l.split(":")[9]).toList();
        assertEquals(1, fprs.size(), keys::toString);
        return fprs.get(0);
    }

    /** gpg --verify with the test's key ring, status lines on stdout ([GNUPG:] VALIDSIG FINGERPRINT …). */
    static Proc.Result gpgVerify(Path signature, Path file) {
        return Proc.run(List.of("gpg", "--batch", "--status-fd", "1", "--verify", signature.toString(),
                file.toString()), gpgEnv(), Duration.ofSeconds(30));
    }

    static Proc.Result mvn(Path dir, List<String> args, Duration timeout) {
        return mvn(dir, args, Map.of(), timeout);
    }

    static Proc.Result mvn(Path dir, List<String> args, Map<String, String> env, Duration timeout) {
        List<String> cmd = new ArrayList<>(List.of("mvn", "-B"));
        cmd.addAll(args);
        Map<String, String> all = new HashMap<>(env);
        // the JDK this test runs on, not whatever JAVA_HOME the caller had
        all.put("JAVA_HOME", System.getProperty("java.home"));
        return Proc.run(cmd, all, timeout, dir);
    }

    static String tail(Proc.Result r) {
        String all = r.out() + r.err();
        return "exit=" + r.exit() + "\n" + (all.length() > 12_000 ? "…" + all.substring(all.length() - 12_000) : all);
    }

    static String first(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        assertTrue(m.find(), regex);
        return m.group(1).strip();
    }

    /** The deployed file of a SNAPSHOT (timestamped) or release version with this suffix. */
    static Path artifact(Path dir, String artifactId, String suffix) throws IOException {
        Pattern p = Pattern.compile(Pattern.quote(artifactId + "-") + "[0-9][^/]*?" + Pattern.quote(suffix));
        try (Stream<Path> s = Files.list(dir)) {
            List<Path> found = s.filter(f -> p.matcher(f.getFileName().toString()).matches())
                    .filter(f -> suffix.startsWith("-") || !f.getFileName().toString().matches(".*-[a-z]+" + Pattern.quote(suffix)))
                    .toList();
            assertEquals(1, found.size(), () -> dir + ": " + suffix + " " + found);
            return found.get(0);
        }
    }

    static List<String> entries(ZipFile z) {
        return z.stream().map(e -> e.getName()).toList();
    }

    static Element xml(Path pom) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        Document d = f.newDocumentBuilder().parse(pom.toFile());
        return d.getDocumentElement();
    }

    /** The first child element with this name, or null. */
    static Element child(Element parent, String name) {
        if (parent == null) {
            return null;
        }
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && e.getTagName().equals(name)) {
                return e;
            }
        }
        return null;
    }

    static String text(Element parent, String name) {
        Element e = child(parent, name);
        return e == null ? "" : e.getTextContent().strip();
    }

    /** Copies a source tree without build output or Git data (the build in the copy must not touch this one). */
    static void copyTree(Path from, Path to) {
        try {
            Files.walkFileTree(from, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                    String name = dir.getFileName() == null ? "" : dir.getFileName().toString();
                    if (!dir.equals(from) && (name.equals("target") || name.equals(".git") || name.equals("dist"))) {
                        return FileVisitResult.SKIP_SUBTREE;
                    }
                    Files.createDirectories(to.resolve(from.relativize(dir).toString()));
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    if (attrs.isRegularFile()) {
                        Files.copy(file, to.resolve(from.relativize(file).toString()),
                                StandardCopyOption.COPY_ATTRIBUTES);
                    }
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
