package io.berth.api.image;

/** Docker's rmi response items: exactly one of untagged / deleted is set. */
public record RemoveItem(String untagged, String deleted) {
    public static RemoveItem untagged(String ref) { return new RemoveItem(ref, null); }
    public static RemoveItem deleted(String id) { return new RemoveItem(null, id); }
}
