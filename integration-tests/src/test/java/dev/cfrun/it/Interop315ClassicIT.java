package dev.cfrun.it;

/** The interop suite against cf-serverd 3.15 (Debian's cfengine3, in a container) over the classic protocol. */
class Interop315ClassicIT extends InteropSuite.Classic {
    Interop315ClassicIT() {
        super(CfVersion.V3_15);
    }
}
