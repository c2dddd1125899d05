package dev.cfrun.it;

/**
 * The CFEngine versions of the interop matrix: Debian's cfengine3 package of three releases, as images
 * built by {@code scripts/images.sh} (debootstrap + docker import, no registry).
 */
enum CfVersion {
    /** bullseye, cfengine3 3.15.2: OpenSSL 1.1.1; replies without "(exit code: N)" (added in 3.18). */
    V3_15("3.15", "bullseye", 3, 15),
    /** bookworm, cfengine3 3.21.0: OpenSSL 3.0, the version of the host peers. */
    V3_21("3.21", "bookworm", 3, 21),
    /** trixie, cfengine3 3.24.x: OpenSSL 3.5. */
    V3_24("3.24", "trixie", 3, 24);

    static final String REPOSITORY = "cfrun-it/cfengine";

    final String tag;
    final String release;
    private final int major;
    private final int minor;

    CfVersion(String tag, String release, int major, int minor) {
        this.tag = tag;
        this.release = release;
        this.major = major;
        this.minor = minor;
    }

    String image() {
        return REPOSITORY + ":" + tag;
    }

    /** The prefix of {@code sys.cf_version} (the package's upstream version) in this image. */
    String versionPrefix() {
        return tag + ".";
    }

    /** cf-serverd ends the EXEC reply with {@code (exit code: N)} since 3.18. */
    boolean sendsExitCode() {
        return major > 3 || minor >= 18;
    }

    @Override
    public String toString() {
        return "cf-serverd " + tag + " (" + release + ")";
    }
}
