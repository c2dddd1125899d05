package dev.cfrun.service.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cfrun.service.store.RunRecord;

/** A run as JSON for {@code GET /v1/runs}. */
final class RunJson {
    private RunJson() {
    }

    /** Status of a run: {@code running}, {@code dry_run}, {@code ok} or {@code failed}. */
    static String status(RunRecord r) {
        if (r.endedAt().isEmpty()) {
            return "running";
        }
        if ("dry_run".equals(r.errorKind())) {
            return "dry_run";
        }
        return r.errorKind() == null && (r.exitCode().isEmpty() || r.exitCode().getAsInt() == 0) ? "ok" : "failed";
    }

    static ObjectNode of(ObjectMapper json, RunRecord r) {
        ObjectNode o = json.createObjectNode();
        o.put("id", r.id());
        o.put("host", r.host().toString());
        o.put("status", status(r));
        o.put("startedAt", r.startedAt().toString());
        r.endedAt().ifPresentOrElse(t -> o.put("endedAt", t.toString()), () -> o.putNull("endedAt"));
        if (r.exitCode().isPresent()) {
            o.put("exitCode", r.exitCode().getAsInt());
        } else {
            o.putNull("exitCode");
        }
        o.put("errorKind", r.errorKind());
        o.put("message", r.message());
        strings(o.putArray("classes"), r.classes());
        strings(o.putArray("bundles"), r.bundles());
        ArrayNode ids = o.putArray("triggerIds");
        r.triggerIds().forEach(ids::add);
        o.put("retriedAfterRestart", r.retriedAfterRestart());
        strings(o.putArray("output"), r.output());
        return o;
    }

    private static void strings(ArrayNode a, Iterable<String> values) {
        values.forEach(a::add);
    }
}
