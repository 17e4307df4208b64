#!/bin/busybox sh
# /init of the QEMU guest of qemu_guest_test.sh: loads virtio-net and 8021q,
# builds the kernel's own stacked VLAN devices on eth0 (the virtio-net NIC
# on stratad's vhostuser trunk port) and pings through each, all at once.
#
# Each `strata.case=NAME,STACK,ADDR/LEN,PEER,COUNT` word of the kernel
# command line is one case: STACK (88a8:100/8100:200, outermost first) names
# the device stack (eth0.100 as 802.1ad 100, eth0.100.200 as 802.1Q 200 on
# it), ADDR/LEN goes on the innermost device, and COUNT pings go to PEER
# from that device. Results go to the serial console, which the host reads:
#   QG-CASE name=NAME stack=STACK dev=DEV sent=N received=M
#   QG-DONE cases=K
# Then the guest idles until the host stops QEMU (it reads the switch's
# counters first); after 300 s it powers off by itself.
. /qemu/guest_lib.sh
guest_boot_basics
export PATH=/bin:/sbin
uptime_s() { cut -d' ' -f1 /proc/uptime; }
echo "QG: userspace up at $(uptime_s) s of guest uptime"
guest_load_modules /modules QG
# busybox ip cannot add VLAN devices: iproute2's, copied with its libraries.
ip=/sbin/ip-full

for _ in $(seq 100); do [ -e /sys/class/net/eth0 ] && break; sleep 0.1; done
$ip link set lo up
$ip link set eth0 up || { echo "QG: no eth0"; echo "QG-DONE cases=0"; sleep 300; poweroff -f; }
echo "QG: eth0 up at $(uptime_s) s, mac $(cat /sys/class/net/eth0/address)"

proto_of() { case "$1" in 88a8) echo 802.1ad ;; 8100) echo 802.1Q ;; *) echo "unknown-tpid-$1" ;; esac; }

# vlan_stack STACK: creates the devices for STACK (those not there yet) and
# prints the innermost one's name.
vlan_stack() {
  local dev=eth0 tag tpid vid
  for tag in $(echo "$1" | tr '/' ' '); do
    tpid=${tag%%:*} vid=${tag#*:}
    vid=${vid%%:*}
    if [ ! -e "/sys/class/net/$dev.$vid" ]; then
      $ip link add link "$dev" name "$dev.$vid" type vlan proto "$(proto_of "$tpid")" id "$vid" >&2 ||
        echo "QG: cannot add $dev.$vid ($tpid:$vid)" >&2
      $ip link set "$dev.$vid" up >&2
    fi
    dev=$dev.$vid
  done
  echo "$dev"
}

n=0
for c in $(guest_cmdline_values strata.case); do
  IFS=, read -r name stack addr peer count <<EOC
$c
EOC
  dev=$(vlan_stack "$stack")
  $ip addr add "$addr" dev "$dev"
  echo "$name $stack $dev $count" >> /tmp/cases
  # -W: how long to wait for a reply after the last request.
  ping -c "$count" -i 0.2 -W 3 -I "$dev" "$peer" > "/tmp/$name.ping" 2>&1 &
  n=$((n + 1))
done
wait
echo "QG: pings done at $(uptime_s) s"

while read -r name stack dev count; do
  summary=$(grep 'packets transmitted' "/tmp/$name.ping")
  sent=$(echo "$summary" | sed -n 's/^\([0-9]*\) packets transmitted.*/\1/p')
  received=$(echo "$summary" | sed -n 's/.* \([0-9]*\) packets received.*/\1/p')
  echo "QG-CASE name=$name stack=$stack dev=$dev sent=${sent:-0} received=${received:-0}"
done < /tmp/cases
echo "QG: eth0 counters rx_packets=$(cat /sys/class/net/eth0/statistics/rx_packets) tx_packets=$(cat /sys/class/net/eth0/statistics/tx_packets)"
echo "QG-DONE cases=$n"
sleep 300
poweroff -f
