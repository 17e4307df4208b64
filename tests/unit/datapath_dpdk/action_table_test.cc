// ActionTable (datapath/action_table.h): equal lists are shared and counted,
// the last release hands the list back, anything else never frees it.
#include <catch2/catch.hpp>

#include "datapath/action_table.h"

namespace strata::datapath {
namespace {

ActionBuilder push_and_output(uint16_t vid, uint32_t port) {
  ActionBuilder b;
  b.push_tag({0x8100, 0, false, vid}).output(port);
  return b;
}

TEST_CASE("action table: equal lists are one list, counted per holder", "[action_table]") {
  ActionTable t;
  ActionList* a = t.acquire(push_and_output(10, 2));
  ActionList* b = t.acquire(push_and_output(10, 2));
  ActionList* c = t.acquire(push_and_output(11, 2));  // another VID
  ActionList* d = t.acquire(push_and_output(10, 3));  // another port
  REQUIRE(a != nullptr);
  CHECK(a == b);
  CHECK(c != a);
  CHECK(d != a);
  CHECK(d != c);
  CHECK(t.size() == 3);
  CHECK(t.references() == 4);
  CHECK(format_actions(*a) == "push_tag:8100:10:0,output:2");

  CHECK_FALSE(t.release(b));  // a still holds it
  CHECK(t.size() == 3);
  CHECK(t.release(a));  // the last: the caller frees it
  CHECK(t.size() == 2);
  ActionList::destroy(a);
  ActionList* again = t.acquire(push_and_output(10, 2));  // a fresh list after that
  CHECK(t.size() == 3);
  for (ActionList* l : {again, c, d}) {
    REQUIRE(t.release(l));
    ActionList::destroy(l);
  }
  CHECK(t.size() == 0);
  CHECK(t.references() == 0);
}

TEST_CASE("action table: compiled lists are compared, so output:2 alone and output:2 before more differ",
          "[action_table]") {
  ActionTable t;
  ActionBuilder last;
  last.output(2);
  ActionBuilder not_last;
  not_last.output(2).pop_tag();
  ActionList* a = t.acquire(last);
  ActionList* b = t.acquire(not_last);
  CHECK(a != b);
  CHECK(a->a[0].type == ActionType::kOutput);
  CHECK(b->a[0].type == ActionType::kOutputCopy);
  ActionList* drop = t.acquire(ActionBuilder{});  // the empty list (drop) is shared too
  CHECK(t.acquire(ActionBuilder{}) == drop);
  CHECK(drop->n == 0);
  CHECK_FALSE(t.release(drop));
  for (ActionList* l : {a, b, drop}) {
    REQUIRE(t.release(l));
    ActionList::destroy(l);
  }
}

TEST_CASE("action table: a list it never interned is its holder's to free", "[action_table]") {
  ActionTable t;
  ActionList* shared = t.acquire(push_and_output(10, 2));
  ActionList* own = push_and_output(10, 2).build();  // the same bytes, not from the table
  CHECK(t.release(own));  // the caller's alone: free it; the shared one is untouched
  ActionList::destroy(own);
  CHECK(t.size() == 1);
  CHECK(t.references() == 1);
  REQUIRE(t.release(shared));
  ActionList::destroy(shared);
}

}  // namespace
}  // namespace strata::datapath
