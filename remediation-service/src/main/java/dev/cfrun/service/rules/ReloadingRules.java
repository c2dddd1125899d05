package dev.cfrun.service.rules;

import dev.cfrun.service.ingest.AlertRules;
import dev.cfrun.service.ingest.AlertmanagerPayload;
import dev.cfrun.service.ingest.Decisions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The rules of a file, read again on {@link #reload()} (SIGHUP). A file that does not load on reload leaves the
 * rules in force unchanged and logs each error with its line; deliveries always see one whole rule set, the old
 * or the new (thread-safe).
 */
public final class ReloadingRules implements AlertRules {
    private static final Logger LOG = LoggerFactory.getLogger(ReloadingRules.class);

    private final Path file;
    private final AtomicReference<RuleSet> current;

    private ReloadingRules(Path file, RuleSet first) {
        this.file = file;
        this.current = new AtomicReference<>(first);
    }

    /**
     * Loads the file for the first time.
     *
     * @param file the rules file
     * @return the rules, to be reloaded from the same file
     * @throws RulesException if the file does not load (every error, one line each)
     */
    public static ReloadingRules load(Path file) throws RulesException {
        return new ReloadingRules(file, RulesFile.load(Objects.requireNonNull(file, "file")));
    }

    /**
     * Reads the file again; on success the new rules apply to the next delivery, on failure the old ones stay.
     * Never throws.
     *
     * @return whether the new rules are in force
     */
    public boolean reload() {
        try {
            RuleSet next = RulesFile.load(file);
            RuleSet before = current.getAndSet(next);
            LOG.info("rules reloaded from {}: {} rules (before: {})", file, next.size(), before.size());
            return true;
        } catch (RulesException e) {
            LOG.error("rules not reloaded, the {} rules loaded before stay in force: {} error(s)",
                    current.get().size(), e.errors().size());
            for (String line : e.errors()) {
                LOG.error("{}", line);
            }
            return false;
        } catch (RuntimeException e) {
            LOG.error("rules not reloaded from {}, the rules loaded before stay in force: {}", file, e.toString());
            return false;
        }
    }

    /**
     * The rules in force.
     *
     * @return the last rule set that loaded
     */
    public RuleSet current() {
        return current.get();
    }

    @Override
    public Decisions apply(AlertmanagerPayload payload, Instant receivedAt) {
        return current.get().apply(payload, receivedAt);
    }
}
