package dev.cfrun.client.hosts;

/**
 * Agent options that cannot be used: an option without its value ({@code -D} at the end), or options that
 * cf-serverd 3.x does not accept ({@link AgentOptions#requireCfengine3(String, String)}). An
 * {@link IllegalArgumentException}: a mistake in what the user wrote, reported before anything is sent.
 */
public final class AgentOptionException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    AgentOptionException(String message) {
        super(message);
    }
}
