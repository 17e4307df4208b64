#!/usr/bin/env bash
# tap ports moved into namespaces: stratad creates the three taps (net_tap)
# and the test moves each into a namespace of its own, then runs the common
# path (port_path_lib.sh: access to access, access to a tagged trunk host,
# the stack on the wire). Proves the tap driver's queue setup (net_tap needs
# as many tx as rx queues) on real traffic, and that stratad stops cleanly
# with its taps in other namespaces.
# usage: tap_test.sh BUILD_DIR
source "$(dirname "$0")/port_path_lib.sh"
port_path_init tp "${1:-build}"
port_path_start_stratad tap

i=1
for h in h1 h2 trk; do
  ip netns add "$tag-$h"
  ip link set "$tag$h" netns "$tag-$h"
  ip -n "$tag-$h" link set "$tag$h" address "02:5a:00:00:00:0$i" up
  ip netns exec "$tag-$h" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
  i=$((i + 1))
done
ip -n "$tag-h1" addr add 10.8.0.1/24 dev "${tag}h1"
ip -n "$tag-h2" addr add 10.8.0.2/24 dev "${tag}h2"

port_path_exercise "" 10.8.0
port_path_stop_stratad
exit $fail
