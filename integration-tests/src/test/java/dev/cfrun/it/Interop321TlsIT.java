package dev.cfrun.it;

/** The interop suite against cf-serverd 3.21 (Debian's cfengine3, in a container) over TLS. */
class Interop321TlsIT extends InteropSuite.Tls {
    Interop321TlsIT() {
        super(CfVersion.V3_21);
    }
}
