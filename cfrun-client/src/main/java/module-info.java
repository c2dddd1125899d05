/**
 * The cfrun library: runs a CFEngine host's agent through its cf-serverd, as cf-runagent does. Only the API
 * packages are exported; everything under {@code dev.cfrun.client.internal} may change without notice.
 */
module dev.cfrun.client {
    requires org.slf4j;

    exports dev.cfrun.client;
    exports dev.cfrun.client.keys;
    exports dev.cfrun.client.hosts;
}
