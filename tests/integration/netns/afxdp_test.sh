#!/usr/bin/env bash
# afxdp ports on veths into namespaces: the common path (port_path_lib.sh:
# access to access, access to a tagged trunk host, the stack on the wire
# seen by tshark in the trunk's namespace), then a clear error for an
# interface that does not exist.
# usage: afxdp_test.sh BUILD_DIR
source "$(dirname "$0")/port_path_lib.sh"
port_path_init ax "${1:-build}"

for h in h1 h2 trk; do
  ip netns add "$tag-$h"
  ip link add "$tag$h" type veth peer name eth0 netns "$tag-$h"
  ip link set "$tag$h" up
  ip -n "$tag-$h" link set eth0 up
  ip netns exec "$tag-$h" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
done
ip -n "$tag-h1" addr add 10.7.0.1/24 dev eth0
ip -n "$tag-h2" addr add 10.7.0.2/24 dev eth0

port_path_start_stratad afxdp
port_path_exercise eth0 10.7.0
port_path_stop_stratad

# A port on an interface that does not exist: one clear line, exit 1
# (with a fresh db: the first run's config would be restored from it).
rm -f "$work/conf.db"
cat > "$work/bad.conf" <<EOC
bridges { name: "br0" ports { name: "x" type: "afxdp" options { key: "iface" value: "nope$tag" } } }
EOC
out=$("$stratad" "${private[@]}" --config "$work/bad.conf" --file-prefix "${tag}b" --memory 128 --mbufs 1023 2>&1 | grep -v '^20..-')
rc=${PIPESTATUS[0]}
check "missing interface: exit 1 naming it ($out)" bash -c "[ $rc -ne 0 ] && [[ \"$out\" == *\"interface 'nope$tag' does not exist\"* ]]"
exit $fail
