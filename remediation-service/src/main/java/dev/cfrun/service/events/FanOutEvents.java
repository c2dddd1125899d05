package dev.cfrun.service.events;

import dev.cfrun.client.HostAddress;
import dev.cfrun.service.Trigger;
import dev.cfrun.service.store.RunOutcome;
import dev.cfrun.service.store.StoredTrigger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/** {@link ServiceEvents#of}: calls every listener, logging (not propagating) what one throws. */
final class FanOutEvents implements ServiceEvents {
    private static final Logger LOG = LoggerFactory.getLogger(FanOutEvents.class);
    private final List<ServiceEvents> listeners;

    FanOutEvents(List<ServiceEvents> listeners) {
        this.listeners = listeners;
    }

    private void each(String event, Consumer<ServiceEvents> call) {
        for (ServiceEvents l : listeners) {
            try {
                call.accept(l);
            } catch (RuntimeException e) {
                LOG.warn("{} listener {} failed: {}", event, l.getClass().getSimpleName(), e.toString());
            }
        }
    }

    @Override
    public void accepted(long triggerId, Trigger trigger) {
        each("accepted", l -> l.accepted(triggerId, trigger));
    }

    @Override
    public void duplicate(long triggerId, Trigger trigger) {
        each("duplicate", l -> l.duplicate(triggerId, trigger));
    }

    @Override
    public void skipped(String fingerprint, String groupKey, Map<String, String> labels, String reason) {
        each("skipped", l -> l.skipped(fingerprint, groupKey, labels, reason));
    }

    @Override
    public void resolved(String fingerprint, String groupKey, Map<String, String> labels) {
        each("resolved", l -> l.resolved(fingerprint, groupKey, labels));
    }

    @Override
    public void suppressed(StoredTrigger trigger, Suppression why, String reason) {
        each("suppressed", l -> l.suppressed(trigger, why, reason));
    }

    @Override
    public void runStarted(long runId, HostAddress host, List<StoredTrigger> triggers, List<String> classes,
                           List<String> bundles, boolean dryRun) {
        each("runStarted", l -> l.runStarted(runId, host, triggers, classes, bundles, dryRun));
    }

    @Override
    public void runFinished(long runId, HostAddress host, List<StoredTrigger> triggers, RunOutcome outcome,
                            Duration took) {
        each("runFinished", l -> l.runFinished(runId, host, triggers, outcome, took));
    }

    @Override
    public void handshake(HostAddress host, Duration handshake) {
        each("handshake", l -> l.handshake(host, handshake));
    }
}
