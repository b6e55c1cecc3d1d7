#!/usr/bin/env bash
# Builds the small local image the container tests run, without a registry: a root file system
# holding Debian's static busybox and its applets, a passwd with root, nobody and etl (uid 1000),
# imported with `podman import`. Idempotent: an existing image is kept.
# Usage: scripts/podman-test-image.sh [IMAGE]   (default localhost/nightshift-test-busybox:latest)
set -euo pipefail

image="${1:-localhost/nightshift-test-busybox:latest}"
podman=(podman)
[[ -n "${NIGHTSHIFT_PODMAN_RUNTIME:-}" ]] && podman+=(--runtime "$NIGHTSHIFT_PODMAN_RUNTIME")
if "${podman[@]}" image exists "$image"; then
  exit 0
fi
busybox=$(command -v busybox || true)
[[ -n "$busybox" ]] || { echo "busybox is not installed (Debian: busybox-static)" >&2; exit 1; }
file -L "$busybox" 2>/dev/null | grep -q "statically linked" ||
  ldd "$busybox" 2>&1 | grep -q "not a dynamic executable" ||
  { echo "$busybox is not statically linked (Debian: busybox-static)" >&2; exit 1; }

rootfs=$(mktemp -d)
trap 'rm -rf "$rootfs"' EXIT
mkdir -p "$rootfs"/{bin,etc,tmp,root,proc,sys,dev}
chmod 1777 "$rootfs/tmp"
cp "$busybox" "$rootfs/bin/busybox"
for applet in $("$busybox" --list); do
  [[ "$applet" == busybox ]] || ln -sf busybox "$rootfs/bin/$applet"
done
cat > "$rootfs/etc/passwd" <<'PASSWD'
root:x:0:0:root:/root:/bin/sh
etl:x:1000:1000:etl:/tmp:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/sh
PASSWD
cat > "$rootfs/etc/group" <<'GROUP'
root:x:0:
etl:x:1000:
nogroup:x:65534:
GROUP
tar -C "$rootfs" -cf "$rootfs.tar" .
trap 'rm -rf "$rootfs" "$rootfs.tar"' EXIT
"${podman[@]}" import --quiet --change 'CMD ["/bin/sh"]' --change 'ENV PATH=/bin' "$rootfs.tar" "$image" >/dev/null
echo "built $image"
