package dev.cfrun.it;

/** The interop suite against cf-serverd 3.24 (Debian's cfengine3, in a container) over the classic protocol. */
class Interop324ClassicIT extends InteropSuite.Classic {
    Interop324ClassicIT() {
        super(CfVersion.V3_24);
    }
}
