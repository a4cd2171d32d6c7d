package io.berth.api;

import java.lang.reflect.Proxy;

/**
 * A face of the engine that this engine or daemon does not have: every call throws
 * {@link BerthException.Kind#UNAVAILABLE} with one clear message. Lets a server register all routes
 * and answer "not available" per request instead of refusing to start.
 */
public final class Unavailable {
    private Unavailable() {}

    public static <T> T of(Class<T> face, String message) {
        return face.cast(Proxy.newProxyInstance(face.getClassLoader(), new Class<?>[]{face}, (proxy, method, args) -> {
            if (method.getDeclaringClass() == Object.class) return switch (method.getName()) {
                case "equals" -> proxy == args[0];
                case "hashCode" -> System.identityHashCode(proxy);
                default -> face.getSimpleName() + "(unavailable)";
            };
            throw BerthException.unavailable("%s", message);
        }));
    }
}
