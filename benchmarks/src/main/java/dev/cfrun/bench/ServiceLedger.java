package dev.cfrun.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What became of the triggers, for the service section's "nothing lost": the service's SQLite store read
 * directly (read-only, beside the running service: WAL lets a reader in), and the runs as {@code GET /v1/runs}
 * shows them. {@link #check} lists every way an accepted trigger could have been lost.
 */
final class ServiceLedger {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A trigger as the store has it. */
    record Trigger(long id, String state, String reason, Long runId) {
    }

    /** The store's view: triggers by id, and the runs (ended or not, and by outcome). */
    record Store(Map<Long, Trigger> triggers, int runs, int runsEnded, Map<String, Integer> runOutcomes) {
    }

    /** The API's view: the trigger ids of all runs listed per host, and the runs' statuses. */
    record Api(Set<Long> ranTriggers, int runs, Map<String, Integer> statuses) {
    }

    private ServiceLedger() {
    }

    private static Connection open(Path db) throws SQLException {
        return DriverManager.getConnection("jdbc:sqlite:file:" + db + "?mode=ro");
    }

    /** Triggers still waiting for a run or in one (states QUEUED and RUNNING). */
    static long pending(Path db) throws SQLException {
        try (Connection c = open(db); Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT COUNT(*) FROM triggers WHERE state IN ('QUEUED', 'RUNNING')")) {
            return r.next() ? r.getLong(1) : -1;
        }
    }

    static Store read(Path db) throws SQLException {
        Map<Long, Trigger> triggers = new HashMap<>();
        Map<String, Integer> outcomes = new TreeMap<>();
        int runs = 0;
        int ended = 0;
        try (Connection c = open(db); Statement s = c.createStatement()) {
            try (ResultSet r = s.executeQuery("SELECT id, state, reason, run_id FROM triggers")) {
                while (r.next()) {
                    long run = r.getLong(4);
                    Long runId = r.wasNull() ? null : run;
                    triggers.put(r.getLong(1), new Trigger(r.getLong(1), r.getString(2), r.getString(3), runId));
                }
            }
            try (ResultSet r = s.executeQuery("SELECT ended_at IS NOT NULL, error_kind, exit_code FROM runs")) {
                while (r.next()) {
                    runs++;
                    ended += r.getBoolean(1) ? 1 : 0;
                    String kind = r.getString(2);
                    int exit = r.getInt(3);
                    String outcome = kind != null ? kind : r.wasNull() ? "no exit code" : "exit " + exit;
                    outcomes.merge(outcome, 1, Integer::sum);
                }
            }
        }
        return new Store(triggers, runs, ended, outcomes);
    }

    /** {@code GET /v1/runs?host=H&limit=1000} for each host. */
    static Api api(ServiceProcess s, Collection<String> hosts) throws Exception {
        Set<Long> ran = new HashSet<>();
        Map<String, Integer> statuses = new TreeMap<>();
        int runs = 0;
        for (String h : hosts) {
            HttpResponse<String> r = s.get("/v1/runs?limit=1000&host=" + URLEncoder.encode(h, StandardCharsets.UTF_8));
            if (r.statusCode() != 200) {
                throw new IllegalStateException("GET /v1/runs?host=" + h + ": " + r.statusCode() + " " + r.body().strip());
            }
            JsonNode list = JSON.readTree(r.body()).path("runs");
            if (list.size() >= 1000) {
                throw new IllegalStateException("host " + h + " has 1000 runs or more: the list may be cut");
            }
            for (JsonNode run : list) {
                runs++;
                statuses.merge(run.path("status").asText(), 1, Integer::sum);
                run.path("triggerIds").forEach(id -> ran.add(id.asLong()));
            }
        }
        return new Api(ran, runs, statuses);
    }

    /**
     * Every accepted trigger ended in a finished run (its id among the runs the API lists) or a suppression with
     * a reason; the store holds no trigger nobody accepted; the API lists every run of the store.
     *
     * @return what does not hold, one line each (empty: nothing lost)
     */
    static List<String> check(Set<Long> accepted, Store store, Api api) {
        List<String> problems = new java.util.ArrayList<>();
        Map<String, Integer> bad = new TreeMap<>();
        for (long id : accepted) {
            Trigger t = store.triggers().get(id);
            if (t == null) {
                bad.merge("accepted but not in the store", 1, Integer::sum);
            } else if (t.state().equals("DONE")) {
                if (t.runId() == null || !api.ranTriggers().contains(id)) {
                    bad.merge("done but in no run GET /v1/runs lists", 1, Integer::sum);
                }
            } else if (t.state().equals("SUPPRESSED")) {
                if (t.reason() == null || t.reason().isBlank()) {
                    bad.merge("suppressed without a reason", 1, Integer::sum);
                }
            } else {
                bad.merge("still " + t.state(), 1, Integer::sum);
            }
        }
        bad.forEach((what, n) -> problems.add(n + " accepted trigger(s) " + what));
        if (store.triggers().size() != accepted.size()) {
            problems.add("the store has " + store.triggers().size() + " triggers, " + accepted.size() + " were accepted");
        }
        if (store.runs() != api.runs() || store.runs() != store.runsEnded()) {
            problems.add("runs: " + store.runs() + " in the store, " + store.runsEnded() + " ended, " + api.runs()
                    + " listed by GET /v1/runs");
        }
        return problems;
    }

    /** Suppressed triggers by the kind of reason (the reason's text up to its first colon or digit). */
    static Map<String, Integer> suppressions(Store store) {
        Map<String, Integer> out = new TreeMap<>();
        for (Trigger t : store.triggers().values()) {
            if (t.state().equals("SUPPRESSED") && t.reason() != null) {
                out.merge(t.reason().split("[:0-9]", 2)[0].strip(), 1, Integer::sum);
            }
        }
        return out;
    }

    /** Triggers by state. */
    static Map<String, Integer> states(Store store) {
        Map<String, Integer> out = new TreeMap<>();
        store.triggers().values().forEach(t -> out.merge(t.state(), 1, Integer::sum));
        return out;
    }
}
