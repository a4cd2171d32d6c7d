package io.berth.engine.oci;

import io.berth.api.BerthException;
import io.berth.spec.runtime.Process;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Resolves Docker's {@code --user} and {@code --group-add} against the image's /etc/passwd and
 * /etc/group, with runc's rules (which are what Docker users observe):
 * <ul>
 *   <li>"" means root (uid 0); "name" or "uid" match a passwd entry by name or by number; a number
 *       with no entry is used as is, with gid 0; a name with no entry is an error.</li>
 *   <li>"user:group" sets the primary group (a group-file name or a number) and then the user gets
 *       no supplementary groups from the file; without a group the user's primary gid is its passwd
 *       gid and its supplementary groups are those listing it as a member.</li>
 *   <li>{@code groupAdd} entries are group names or numbers, appended.</li>
 * </ul>
 * Files are read with {@link RootfsFiles}, so a hostile image cannot make Berth read a host file.
 * Missing files count as empty: numeric ids work on images without /etc (scratch, distroless).
 */
public final class UserResolver {
    private UserResolver() {}

    private static final long MAX_ID = Integer.MAX_VALUE;

    record PasswdEntry(String name, long uid, long gid, String home) {}

    record GroupEntry(String name, long gid, List<String> members) {}

    /** The process user for {@code userSpec} ("" or null = root) plus {@code groupAdd}. */
    public static Process.User resolve(Path rootfs, String userSpec, List<String> groupAdd) {
        String spec = userSpec == null ? "" : userSpec.strip();
        String userArg = spec, groupArg = null;
        int colon = spec.indexOf(':');
        if (colon >= 0) {
            userArg = spec.substring(0, colon);
            groupArg = spec.substring(colon + 1);
        }
        if (userArg.isEmpty()) userArg = "0";

        List<PasswdEntry> passwd;
        List<GroupEntry> groups = null;
        PasswdEntry entry = null;
        long uid, gid = 0;
        // passwd is read even for a numeric id: a uid listed there brings its gid and groups (runc
        // does the same). Missing files count as empty, so numeric ids work on images without /etc.
        passwd = passwd(rootfs);
        for (PasswdEntry p : passwd) {
            if (p.name().equals(userArg) || Long.toString(p.uid()).equals(userArg)) { entry = p; break; }
        }
        if (entry != null) {
            uid = entry.uid();
            gid = entry.gid();
        } else {
            Long n = number(userArg);
            if (n == null) throw BerthException.invalid("unable to find user %s: no matching entries in passwd file", userArg);
            uid = n;
        }

        Set<Long> extra = new LinkedHashSet<>();
        if (groupArg != null && !groupArg.isEmpty()) {
            groups = groups(rootfs);
            gid = findGroup(groups, groupArg);
        } else if (entry != null) {
            groups = groups(rootfs);
            for (GroupEntry g : groups) if (g.members().contains(entry.name())) extra.add(g.gid());
        }
        if (groupAdd != null && !groupAdd.isEmpty()) {
            if (groups == null) groups = groups(rootfs);
            for (String g : groupAdd) extra.add(findGroup(groups, g.strip()));
        }
        check(uid);
        check(gid);
        for (long g : extra) check(g);
        return new Process.User(uid, gid, null, extra.isEmpty() ? null : new ArrayList<>(extra), entry == null ? null : entry.name());
    }

    private static long findGroup(List<GroupEntry> groups, String arg) {
        for (GroupEntry g : groups) {
            if (g.name().equals(arg) || Long.toString(g.gid()).equals(arg)) return g.gid();
        }
        Long n = number(arg);
        if (n == null) throw BerthException.invalid("unable to find group %s: no matching entries in group file", arg);
        return n;
    }

    private static void check(long id) {
        if (id < 0 || id > MAX_ID) throw BerthException.invalid("resolving user: uids and gids must be in range 0-%d, got %d", MAX_ID, id);
    }

    private static Long number(String s) {
        if (s.isEmpty() || s.length() > 19 || !s.chars().allMatch(Character::isDigit)) return null;
        return Long.parseLong(s);
    }

    static List<PasswdEntry> passwd(Path rootfs) {
        List<PasswdEntry> out = new ArrayList<>();
        for (String[] f : lines(rootfs, "/etc/passwd")) {
            // name:password:uid:gid:gecos:home:shell; malformed lines are skipped, as libc does
            if (f.length < 4) continue;
            Long uid = number(f[2]), gid = number(f[3]);
            if (uid == null || gid == null) continue;
            out.add(new PasswdEntry(f[0], uid, gid, f.length > 5 ? f[5] : ""));
        }
        return out;
    }

    static List<GroupEntry> groups(Path rootfs) {
        List<GroupEntry> out = new ArrayList<>();
        for (String[] f : lines(rootfs, "/etc/group")) {
            // name:password:gid:member,member
            if (f.length < 3) continue;
            Long gid = number(f[2]);
            if (gid == null) continue;
            List<String> members = f.length > 3 && !f[3].isEmpty() ? List.of(f[3].split(",")) : List.of();
            out.add(new GroupEntry(f[0], gid, members.stream().map(String::strip).toList()));
        }
        return out;
    }

    private static List<String[]> lines(Path rootfs, String file) {
        byte[] bytes;
        try {
            bytes = rootfs == null ? null : RootfsFiles.read(rootfs, file);
        } catch (IOException e) {
            throw new BerthException(BerthException.Kind.INVALID_ARGUMENT, "reading " + file + " of the image: " + e.getMessage(), e);
        }
        if (bytes == null) return List.of();
        List<String[]> out = new ArrayList<>();
        for (String line : new String(bytes, StandardCharsets.UTF_8).split("\n")) {
            String l = line.strip();
            if (l.isEmpty() || l.startsWith("#")) continue;
            out.add(l.split(":", -1));
        }
        return out;
    }
}
