package dev.cfrun.nagios;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The hand-written --help texts of cfrun-event-handler and check_cfserverd fit an 80-column terminal. */
class UsageLayoutTest {
    @Test
    void everyLineFitsEightyColumns() {
        List<String> tooLong = new ArrayList<>();
        for (String usage : List.of(HandlerOptions.USAGE, CheckCfServerd.USAGE)) {
            for (String line : usage.split("\n")) {
                if (line.codePointCount(0, line.length()) > 80) {
                    tooLong.add(line);
                }
            }
        }
        assertEquals(List.of(), tooLong);
    }
}
