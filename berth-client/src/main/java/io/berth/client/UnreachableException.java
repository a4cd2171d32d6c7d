package io.berth.client;

import io.berth.api.BerthException;

/** Nothing answers at the daemon's socket (missing, refused). The CLI may start a daemon then. */
public final class UnreachableException extends BerthException {
    private final String host;

    public UnreachableException(String host, Throwable cause) {
        super(Kind.UNAVAILABLE, "Cannot connect to berthd at " + host + ". Is berthd running? (start it with: berth daemon)", cause);
        this.host = host;
    }

    public String host() { return host; }
}
