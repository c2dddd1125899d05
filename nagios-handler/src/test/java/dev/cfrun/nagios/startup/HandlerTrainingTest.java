package dev.cfrun.nagios.startup;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The build's training run for cfrun-nagios.jar works: every run ends as under Nagios. */
class HandlerTrainingTest {
    @Test
    void everyTrainingRunSucceedsAgainstTheLoopbackStandIn() throws Exception {
        assertEquals(List.of(), HandlerTraining.run());
    }
}
