package dev.cfrun.it;

/** The interop suite against cf-serverd 3.15 (Debian's cfengine3, in a container) over TLS. */
class Interop315TlsIT extends InteropSuite.Tls {
    Interop315TlsIT() {
        super(CfVersion.V3_15);
    }
}
