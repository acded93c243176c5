#!/usr/bin/env bash
# Figures for `tune package`: build time and bytes pushed, for a first push, an unchanged rebuild
# and a rebuild after a one-file change in a project jar, against a loopback docker-registry.
# Needs the CLI built (./mvnw -pl cli -am package -DskipTests) and Debian's docker-registry.
# The JRE is a jlink image of this machine's JDK (about the size of a Temurin JRE); the base is a
# one-file image pushed first, so the figures are tune's own layers only.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../../.." && pwd)"
source "$root/scripts/java-home"
work="$(mktemp -d)"
reg_pid=""
cleanup() { [[ -n "$reg_pid" ]] && kill "$reg_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

mkdir -p "$work/app" && cp -r "$root/cli/target/tune.jar" "$root/cli/target/lib" "$work/app/"
"$JAVA_HOME/bin/jlink" --add-modules java.se,jdk.unsupported,jdk.httpserver,jdk.crypto.ec,jdk.zipfs \
  --strip-debug --no-header-files --no-man-pages --output "$work/jre"
tar -C "$work" -czf "$work/jre.tar.gz" jre

port=$((20000 + RANDOM % 20000))
cat > "$work/registry.yml" <<YML
version: 0.1
log:
  level: error
storage:
  filesystem:
    rootdirectory: $work/registry
http:
  addr: 127.0.0.1:$port
YML
docker-registry serve "$work/registry.yml" > "$work/registry.log" 2>&1 &
reg_pid=$!
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$port/v2/" > /dev/null && break; sleep 0.1; done

cat > "$work/PushBase.java" <<'JAVA'
import com.google.cloud.tools.jib.api.*;
import com.google.cloud.tools.jib.api.buildplan.*;
import java.nio.file.*;

public class PushBase {
  public static void main(String[] args) throws Exception {
    Path marker = Files.writeString(Path.of(args[1], "base-marker"), "base");
    Jib.fromScratch()
        .addFileEntriesLayer(
            FileEntriesLayer.builder().addEntry(marker, AbsoluteUnixPath.get("/etc/base-marker")).build())
        .containerize(
            Containerizer.to(RegistryImage.named(args[0]))
                .setAllowInsecureRegistries(true)
                .setBaseImageLayersCache(Path.of(args[1], "jib-base"))
                .setApplicationLayersCache(Path.of(args[1], "jib-app")));
  }
}
JAVA
"$JAVA_HOME/bin/java" -cp "$work/app/lib/*" "$work/PushBase.java" "localhost:$port/base:1" "$work" 2>/dev/null

blobs() {
  find "$work/registry/docker/registry/v2/blobs" -name data -printf '%s\n' \
    | awk '{n++; s+=$1} END {printf "%d %d", n, s}'
}
package() {
  local start end
  start=$(date +%s.%N)
  "$JAVA_HOME/bin/java" -jar "$work/app/tune.jar" package --base "localhost:$port/base:1" \
    --to "localhost:$port/tune:$1" --insecure --jre "$work/jre.tar.gz" --cache-dir "$work/cache" \
    -o json > "$work/result-$1.json"
  end=$(date +%s.%N)
  echo "$start $end"
}
report() {
  local n0 s0 n1 s1 s e
  read -r n0 s0 <<< "$1"; read -r n1 s1 <<< "$2"; read -r s e <<< "$3"
  printf '%-28s %6.1f s  %3d new blobs  %12d bytes pushed  digest %s\n' "$4" \
    "$(echo "$e - $s" | bc)" $((n1 - n0)) $((s1 - s0)) \
    "$(grep -oE '"digest" ?: ?"sha256:[0-9a-f]{12}' "$work/result-$5.json" | grep -oE 'sha256:.*')"
}

b0=$(blobs); t=$(package 1); b1=$(blobs); report "$b0" "$b1" "$t" "first push" 1
t=$(package 2); b2=$(blobs); report "$b1" "$b2" "$t" "unchanged rebuild" 2
# A one-file change: one class of tune-core replaced by a changed copy.
mkdir -p "$work/change/dev/tune/core"
unzip -q -o "$work/app/lib/tune-core-"*.jar dev/tune/core/Tune.class -d "$work/change"
printf '\0' >> "$work/change/dev/tune/core/Tune.class"
(cd "$work/change" && "$JAVA_HOME/bin/jar" uf "$work/app/lib/"tune-core-*.jar dev/tune/core/Tune.class)
t=$(package 3); b3=$(blobs); report "$b2" "$b3" "$t" "after a one-file change" 3
