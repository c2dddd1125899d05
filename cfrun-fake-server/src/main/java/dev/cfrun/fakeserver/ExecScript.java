package dev.cfrun.fakeserver;

import dev.cfrun.fakeserver.FakeCfServerd.Session;
import dev.cfrun.fakeserver.FakeCfServerd.Stage;
import dev.cfrun.fakeserver.FakeCfServerd.Step;

import java.io.IOException;
import java.util.Arrays;

/**
 * cf-serverd 3.x after the handshake (TLS or classic): reads EXEC and the class list up to the terminator,
 * then plays the test's {@link FakeCfServerd.Reply} step by step (lines, pauses, hang-ups, endless output).
 */
final class ExecScript {
    private final FakeCfServerd f;

    ExecScript(FakeCfServerd f) {
        this.f = f;
    }

    void exec(Conn c, Session s) throws IOException, HangUp {
        byte[] raw = c.readRawFrame();
        if (raw == null) {
            s.end = "client left without a command";
            return;
        }
        s.execFrames.add(raw);
        s.execLine = Wire.text(Arrays.copyOfRange(raw, Wire.HEADER, raw.length));
        s.execSeen.countDown();
        if (f.closeAt == Stage.EXEC) {
            throw new HangUp("closed after EXEC");
        }
        if (!s.execLine.equals("EXEC") && !s.execLine.startsWith("EXEC ")) {
            throw new HangUp("unknown command", "BAD: Request denied");
        }
        while (!s.terminatorReceived) {
            raw = c.readRawFrame();
            if (raw == null) {
                s.end = "client left before the end of the class list";
                return;
            }
            s.execFrames.add(raw);
            String text = Wire.text(Arrays.copyOfRange(raw, Wire.HEADER, raw.length));
            if (text.startsWith(Wire.TERMINATOR)) {
                s.terminatorReceived = true;
            } else {
                s.selectClasses.add(text);
            }
        }
        for (Step step : f.reply.apply(s).steps()) {
            switch (step.kind()) {
                case SEND -> c.send(step.bytes());
                case PAUSE -> Conn.sleep(step.millis());
                case CLOSE -> throw new HangUp("closed during the reply");
                case SILENCE -> {
                    s.end = "silent during the reply";
                    c.drain();
                    return;
                }
                case HOLD_OPEN -> {
                    s.end = "held open";
                    while (!f.closed) {
                        Conn.sleep(20);
                    }
                    return;
                }
                case ENDLESS_OUTPUT -> {
                    for (long i = 0; !f.closed; i++) {
                        c.send(Wire.frame("> endless line " + i + "\n"));
                    }
                    return;
                }
                case ENDLESS_MORE -> {
                    byte[] more = Wire.frame('m', new byte[Wire.MAX_PAYLOAD]);
                    while (!f.closed) {
                        c.send(more);
                    }
                    return;
                }
                default -> throw new IllegalStateException(step.kind().toString());
            }
        }
        s.end = "replied; waiting for the next command";
        c.drain();
    }
}
