package dev.cfrun.it;

/** The interop suite against cf-serverd 3.21 (Debian's cfengine3, in a container) over the classic protocol. */
class Interop321ClassicIT extends InteropSuite.Classic {
    Interop321ClassicIT() {
        super(CfVersion.V3_21);
    }
}
