package example;

import dev.cfrun.client.CfRunClient;
import dev.cfrun.client.CfRunException;
import dev.cfrun.client.HostAddress;
import dev.cfrun.client.RunRequest;
import dev.cfrun.client.RunResult;

import java.nio.file.Path;

/** A library user's first program: hail one host with the keys of a CFEngine work dir, print what came back. */
public final class Hail {
    private Hail() {
    }

    public static void main(String[] args) throws Exception {
        HostAddress host = HostAddress.parse(args[0]);
        try (CfRunClient client = CfRunClient.builder().workdir(Path.of(args[1])).build()) {
            RunResult r = client.run(RunRequest.builder(host).build());
            for (String line : r.outputLines()) {
                System.out.println("OUTPUT " + line);
            }
            System.out.println("HAIL " + r.host() + " protocol=" + r.protocol() + " server=" + r.serverKeyDigest()
                    + " exit=" + (r.exitCode().isPresent() ? r.exitCode().getAsInt() : "none"));
            System.out.println("FROM " + CfRunClient.class.getProtectionDomain().getCodeSource().getLocation());
            System.exit(r.succeeded() ? 0 : 1);
        } catch (CfRunException e) {
            System.out.println("FAILED " + e);
            System.exit(2);
        }
    }
}
