package io.berth.api.container;

import java.util.List;

/** {@code docker top}: the ps column titles and one row of columns per process of the container. */
public record ProcessList(List<String> titles, List<List<String>> processes) {
}
