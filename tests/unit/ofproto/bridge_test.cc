// The bridge around the pipeline: megaflows installed from upcalls are
// recorded, credited to flows and tables, and removed when what they
// depended on changes; fail modes pick NORMAL or the tables.
#include <catch2/catch.hpp>

#include <rte_mbuf.h>

#include "bridge_fixture.h"

using namespace strata;
using namespace strata::testing;

namespace {

// Runs a miss through the bridge and installs the megaflow on the fake.
datapath::UpcallResult miss(BridgeFixture& f, const datapath::FlowKey& k, uint32_t len = 60) {
  rte_mbuf m{};
  m.pkt_len = len;
  datapath::Upcall up{&m, &k, datapath::UpcallReason::kMiss, 0, 0};
  datapath::UpcallResult res;
  f.br.handle_miss(up, &res);
  if (res.install) REQUIRE(f.dp.flow_put(k, res.mask, res.actions));
  return res;
}

}  // namespace

TEST_CASE("a flow change removes exactly the megaflows that looked at its table", "[ofproto][bridge]") {
  BridgeFixture f;
  f.add(0, 10, Match{}.set_in_port(1), apply_goto({}, 1));
  f.add(1, 10, Match{}, apply({OfAction::output(2)}));
  f.add(0, 10, Match{}.set_in_port(2), apply({OfAction::output(1)}));
  miss(f, BridgeFixture::key(1, {}));
  miss(f, BridgeFixture::key(2, {}));
  REQUIRE(f.dp.flows.size() == 2);

  f.add(5, 1, Match{}, apply({}));  // a table nobody visits
  f.br.revalidate();
  CHECK(f.dp.flows.size() == 2);

  f.add(1, 20, Match{}.set_eth_type(0x0806), apply({}));  // only port 1's megaflow visited table 1
  f.br.revalidate();
  REQUIRE(f.dp.flows.size() == 1);
  CHECK(f.dp.flows[0].key.in_port == 12);

  f.add(0, 30, Match{}, apply({}));
  f.br.revalidate();
  CHECK(f.dp.flows.empty());
}

TEST_CASE("datapath counters reach the flows and tables behind a megaflow", "[ofproto][bridge]") {
  BridgeFixture f;
  f.add(0, 10, Match{}.set_in_port(1), apply_goto({}, 3));
  f.add(3, 10, Match{}, apply({OfAction::output(2)}));
  miss(f, BridgeFixture::key(1, {}), 100);
  REQUIRE(f.dp.flows.size() == 1);
  f.dp.flows[0].packets = 10;
  f.dp.flows[0].bytes = 1000;
  f.br.harvest();
  f.br.harvest();  // idempotent: only new counts are credited
  for (const Rule* r : f.br.select_flows(FlowFilter{})) {
    CHECK(r->packets == 11);  // the upcalled frame + 10 on the fast path
    CHECK(r->bytes == 1100);
  }
  CHECK(f.br.pipeline().table(3)->lookups == 11);
  CHECK(f.br.pipeline().table(3)->matches == 11);
  // The megaflow goes away in the datapath: its record goes at the next harvest.
  f.dp.flows.clear();
  f.br.harvest();
  CHECK(f.br.select_flows(FlowFilter{})[0]->packets == 11);
}

TEST_CASE("standalone fails open to NORMAL while its controllers are away, secure does not", "[ofproto][bridge]") {
  BridgeFixture f;
  REQUIRE(f.br.set_controllers({"tcp:127.0.0.1:1"}));  // nothing listens there
  CHECK(f.br.failing_open());
  // The tables were flushed when controllers appeared: empty, yet NORMAL floods.
  auto res = miss(f, BridgeFixture::key(1, {}, kMacA, kBcast));
  datapath::ActionList* list = res.actions.build();
  CHECK(datapath::format_actions(*list) == "output:12,output:13");
  datapath::ActionList::destroy(list);

  f.br.set_fail_mode(FailMode::kSecure);
  CHECK_FALSE(f.br.failing_open());
  CHECK(f.dp.flows.empty());  // the mode change removed the NORMAL megaflow
  res = miss(f, BridgeFixture::key(1, {}, kMacA, kBcast));
  CHECK(res.actions.empty());  // secure + empty tables: drop

  REQUIRE(f.br.set_controllers({}));
  CHECK(f.br.pipeline().flow_count() == 1);  // back to the default NORMAL entry
}

TEST_CASE("removing a port removes every megaflow of the bridge", "[ofproto][bridge]") {
  BridgeFixture f;
  f.add(0, 10, Match{}, apply({OfAction::output(ofp::kPortAll)}));
  miss(f, BridgeFixture::key(1, {}));
  miss(f, BridgeFixture::key(2, {}));
  REQUIRE(f.dp.flows.size() == 2);
  REQUIRE(f.br.remove_port("p3"));
  CHECK(f.dp.flows.empty());
  CHECK(f.run(BridgeFixture::key(1, {})).actions == "output:12");
}

TEST_CASE("learned addresses survive the periodic housekeeping", "[ofproto][bridge]") {
  BridgeFixture f(/*keep_normal_flow=*/true);
  CHECK(f.run(BridgeFixture::key(1, {}, kMacA, kBcast)).actions == "output:12,output:13");  // learns A on port 1
  // Housekeeping ages entries by the clock that stamped them: a second
  // later A is still where it was learned (it once aged everything away).
  f.br.run_periodic();
  f.br.run_periodic();
  CHECK(f.run(BridgeFixture::key(2, {}, kMacB, kMacA)).actions == "output:11");
}
