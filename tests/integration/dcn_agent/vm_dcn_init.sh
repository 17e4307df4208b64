#!/bin/busybox sh
# /init of vm_dcn_test.sh's QEMU guest, a VM DCN: loads virtio-net and
# 8021q, then runs strata-dcn-agent (with auto detection, which must pick
# the kernel's VLAN subinterfaces here) to make the containers the kernel
# command line lists, and pings from inside them. Results go to the serial
# console, which the host reads:
#   QD-AGENT <what the agent printed>
#   QD-LIST <the agent's list>
#   QD-PING name=NAME peer=IP sent=N received=M
#   QD-DONE
# Command line words:
#   strata.dcn=DCN                    the DCN's name
#   strata.container=NAME,VID,ADDR    one container (802.1Q tag VID)
#   strata.ping=NAME,PEER             pings from that container
. /qemu/guest_lib.sh
guest_boot_basics
# iproute2's ip first, for the agent: busybox's cannot make VLAN devices or
# namespaces (and this shell runs its own applets first: call it by path).
export PATH=/usr/local/sbin:/bin:/sbin
guest_load_modules /modules QD
agent=/usr/local/bin/strata-dcn-agent
dcn=$(guest_cmdline_values strata.dcn)
for _ in $(seq 100); do [ -e /sys/class/net/eth0 ] && break; sleep 0.1; done
echo "QD: eth0 $(cat /sys/class/net/eth0/address 2>/dev/null || echo missing)"

for c in $(guest_cmdline_values strata.container); do
  IFS=, read -r name vid addr <<EOC
$c
EOC
  $agent add-container "$name" --tag "$vid" --addr "$addr" --nic eth0 --dcn "$dcn" > /tmp/agent.out 2>&1
  echo "QD-AGENT rc=$? $(tr '\n' ' ' < /tmp/agent.out)"
done
$agent list --dcn "$dcn" | sed 's/^/QD-LIST /'

for p in $(guest_cmdline_values strata.ping); do
  IFS=, read -r name peer <<EOC
$p
EOC
  /usr/local/sbin/ip netns exec "sdcn-$dcn-$name" ping -c 6 -i 0.3 -W 2 "$peer" > "/tmp/$name-$peer.ping" 2>&1
  summary=$(grep 'packets transmitted' "/tmp/$name-$peer.ping")
  sent=$(echo "$summary" | sed -n 's/^\([0-9]*\) packets transmitted.*/\1/p')
  received=$(echo "$summary" | sed -n 's/.* \([0-9]*\) packets received.*/\1/p')
  echo "QD-PING name=$name peer=$peer sent=${sent:-0} received=${received:-0}"
  [ -n "$summary" ] || sed "s/^/QD-PING-ERROR /" "/tmp/$name-$peer.ping"
done
echo "QD-DONE"
sleep 300
poweroff -f
