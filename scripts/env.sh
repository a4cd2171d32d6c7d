# Sourced by Berth's scripts: picks a JDK 25 and says clearly when there is none.
BERTH_JDK_CANDIDATES="${BERTH_JAVA_HOME:-} ${JAVA_HOME:-} /usr/lib/jvm/temurin-25-jdk-amd64"
berth_pick_jdk() {
  for j in $BERTH_JDK_CANDIDATES; do
    [ -x "$j/bin/java" ] || continue
    v=$("$j/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/ *java.specification.version = //p')
    if [ "${v%%.*}" -ge 25 ] 2>/dev/null; then export JAVA_HOME="$j"; export PATH="$j/bin:$PATH"; return 0; fi
  done
  echo "berth: needs JDK 25 or newer; none found (tried: $BERTH_JDK_CANDIDATES)." >&2
  echo "berth: install Temurin 25 at /usr/lib/jvm/temurin-25-jdk-amd64 or set BERTH_JAVA_HOME." >&2
  return 1
}
# Maven 3.8's bundled guava calls sun.misc.Unsafe; JDK 25 warns about it on every run.
export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"
