package dev.cfrun.fakeserver;

/** Ends a CFEngine 3 dialogue: the server hangs up without a word (after sending {@code last}, if any). */
final class HangUp extends Exception {
    private static final long serialVersionUID = 1L;
    final transient String[] last;

    HangUp(String why, String... last) {
        super(why, null, false, false);
        this.last = last;
    }
}
