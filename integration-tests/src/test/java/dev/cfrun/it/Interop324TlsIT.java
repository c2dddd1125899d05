package dev.cfrun.it;

/** The interop suite against cf-serverd 3.24 (Debian's cfengine3, in a container) over TLS. */
class Interop324TlsIT extends InteropSuite.Tls {
    Interop324TlsIT() {
        super(CfVersion.V3_24);
    }
}
