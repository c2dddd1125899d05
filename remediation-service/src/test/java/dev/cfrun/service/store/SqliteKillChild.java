package dev.cfrun.service.store;

import dev.cfrun.client.HostAddress;
import dev.cfrun.service.Trigger;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The child process of {@link SqliteStoreTest#acceptedTriggersSurviveASigkill}: opens the store of a state
 * directory, accepts deliveries of 100 triggers and prints each delivery's ids once {@code acceptAll} returned
 * (when the service would answer 202), until it is killed.
 */
public final class SqliteKillChild {
    private SqliteKillChild() {
    }

    /**
     * @param args the state directory
     * @throws InterruptedException never expected (the parent kills this process)
     */
    public static void main(String[] args) throws InterruptedException {
        Store store = SqliteStore.open(Path.of(args[0])); // never closed: the process is SIGKILLed
        for (int delivery = 0; ; delivery++) {
            List<Trigger> ts = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                ts.add(StoreContractTest.trigger(HostAddress.of("web" + i % 25, 5308), "fp" + delivery + "-" + i,
                        StoreContractTest.T0));
            }
            System.out.println(store.acceptAll(ts).stream().map(a -> Long.toString(a.triggerId()))
                    .collect(Collectors.joining(" ")));
            System.out.flush();
            Thread.sleep(5);
        }
    }
}
