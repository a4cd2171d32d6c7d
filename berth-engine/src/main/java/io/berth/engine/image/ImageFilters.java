package io.berth.engine.image;

import io.berth.api.BerthException;
import io.berth.api.image.ImageListOptions;
import io.berth.api.image.ImageSummary;
import io.berth.engine.store.TagRecord;
import io.berth.spec.image.Reference;

import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.List;
import java.util.Map;

/**
 * {@code docker images --filter}: reference (Docker's path.Match globs against the familiar name
 * and name:tag), dangling, label. OR within a filter, AND across filters.
 */
record ImageFilters(List<PathMatcher> references, Boolean dangling, List<String> labels) {

    static ImageFilters of(ImageListOptions o) {
        List<PathMatcher> refs = o.references() == null ? List.of() : o.references().stream().map(ImageFilters::glob).toList();
        return new ImageFilters(refs, o.dangling(), o.labels() == null ? List.of() : o.labels());
    }

    private static PathMatcher glob(String pattern) {
        try {
            return FileSystems.getDefault().getPathMatcher("glob:" + pattern);
        } catch (IllegalArgumentException e) {
            throw BerthException.invalid("invalid reference filter %s: %s", pattern, e.getMessage());
        }
    }

    boolean test(ImageSummary s, List<TagRecord> tags) {
        if (dangling != null && dangling != s.repoTags().isEmpty()) return false;
        if (!references.isEmpty() && !matchesReference(s)) return false;
        for (String l : labels) if (!matchesLabel(s.labels(), l)) return false;
        return true;
    }

    private boolean matchesReference(ImageSummary s) {
        for (String tag : s.repoTags()) {
            Reference r = Reference.parseName(tag);
            for (PathMatcher m : references) {
                if (m.matches(Path.of(r.familiarName())) || m.matches(Path.of(r.familiarString()))) return true;
            }
        }
        return false;
    }

    private static boolean matchesLabel(Map<String, String> labels, String filter) {
        int eq = filter.indexOf('=');
        if (eq < 0) return labels.containsKey(filter);
        return filter.substring(eq + 1).equals(labels.get(filter.substring(0, eq)));
    }
}
