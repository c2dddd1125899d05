package dev.cfrun.cli.startup;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The build's training run (behind the class-data-sharing archive) works: every command line ends as a user's would. */
class CliTrainingTest {
    @Test
    void everyTrainingCommandLineSucceedsAgainstTheLoopbackStandIn() throws Exception {
        assertEquals(List.of(), CliTraining.run());
    }
}
