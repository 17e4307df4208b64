# The vhost-user backend of two_guests (stratad_guests.sh runs stratad itself
# instead): DPDK's testpmd serving one net_vhost port per socket and
# io-forwarding between ports 0 and 1. It passes frames through unchanged, so
# the frames a guest receives carry exactly the tags its peer sent.
#
# Interface every backend file provides:
#   backend_start SOCK0 SOCK1   serve both sockets and forward between them
#   backend_stats               print per-port counters
#   backend_stop                stop it (by PID) and print what it said
#   backend_forwarded           "RX TX TX-dropped" frame totals, after backend_stop
#   BACKEND_SEND_TAGS_A / BACKEND_EXPECT_TAGS_B  the tags guest A sends and
#                               guest B must see (a switch with access ports
#                               would push them instead)
BACKEND_NAME=testpmd
BACKEND_SEND_TAGS_A=88a8:100/8100:200
BACKEND_EXPECT_TAGS_B=88a8:100/8100:200
backend_pid=

backend_start() {
  mkfifo /tmp/testpmd.in
  # Interactive mode reading commands from a fifo: started and queried on demand.
  dpdk-testpmd -l 0,1 --no-huge -m 256 --no-pci --file-prefix=nested \
    -d /nested/pmds/librte_mempool_ring.so -d /nested/pmds/librte_net_vhost.so \
    --vdev "net_vhost0,iface=$1,queues=1" --vdev "net_vhost1,iface=$2,queues=1" \
    -- -i --forward-mode=io --total-num-mbufs=4096 < /tmp/testpmd.in > /tmp/backend.log 2>&1 &
  backend_pid=$!
  exec 3>/tmp/testpmd.in
  echo "start" >&3
  wait_for_socket "$1" 60 && wait_for_socket "$2" 10
}

backend_stats() {
  echo "show port stats all" >&3
  sleep 1
}

# backend_stop: stop forwarding and quit; testpmd prints its forward
# statistics on the way out (its stdout is a file, flushed only at exit).
backend_stop() {
  if [ -n "$backend_pid" ] && kill -0 "$backend_pid" 2>/dev/null; then
    echo "stop" >&3
    sleep 1
    echo "quit" >&3
    wait_pid_timeout "$backend_pid" 60 >/dev/null || echo "NESTED: $BACKEND_NAME did not quit within 60 s"
  fi
  exec 3>&-
  echo "---- $BACKEND_NAME log ----"
  grep -E 'RX-packets|TX-packets|RX-dropped|Forward statistics|VHOST|error|Error' /tmp/backend.log | head -40
}

# backend_forwarded: "RX TX TX-dropped" over all ports, from the statistics
# backend_stop made testpmd print ("? ? ?" if it printed none).
backend_forwarded() {
  awk '/Accumulated forward statistics for all ports/ { acc = 1 }
       acc && /RX-packets:/ { rx = $2 }
       acc && /TX-packets:/ { tx = $2; drop = $4 }
       END { print (rx == "" ? "?" : rx), (tx == "" ? "?" : tx), (drop == "" ? "?" : drop) }' /tmp/backend.log
}
