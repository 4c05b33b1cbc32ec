// SPDX-License-Identifier: MIT
// StateFolder: folding many deltas onto one state with an index of message ids must give exactly
// what apply_delta gives, whatever the mix of appends, replacements and removals.

#include "support.hpp"

#include "engine/checkpoint.hpp"

#include <random>

using namespace weft;
using namespace engine_test;

namespace {

json::object message(const std::string& id, const std::string& content) {
  return json::object{{"id", id}, {"content", content}};
}

ChannelDelta merge(json::array items) { return ChannelDelta{"chat", DeltaOp::merge_messages, std::move(items)}; }

}  // namespace

TEST_CASE("a StateFolder merges messages exactly like apply_delta over a random mix of writes") {
  for (unsigned seed = 1; seed <= 20; ++seed) {
    CAPTURE(seed);
    std::mt19937 random(seed);
    json::object by_delta, by_folder;
    StateFolder folder;
    int next_id = 0;
    for (int step = 0; step < 300; ++step) {
      json::array items;
      const int count = 1 + static_cast<int>(random() % 3);
      for (int k = 0; k < count; ++k) {
        const unsigned kind = random() % 10;
        const int known = next_id == 0 ? 0 : static_cast<int>(random() % static_cast<unsigned>(next_id));
        if (kind < 6 || next_id == 0) {
          items.push_back(message("m" + std::to_string(next_id++), "new at " + std::to_string(step)));
        } else if (kind < 8) {
          items.push_back(message("m" + std::to_string(known), "edited at " + std::to_string(step)));
        } else {
          items.push_back(json::object{{"type", "remove"}, {"id", "m" + std::to_string(known)}});
        }
      }
      const ChannelDelta delta = merge(std::move(items));
      apply_delta(by_delta, delta);
      folder.apply(by_folder, delta);
      REQUIRE(by_folder == by_delta);
    }
    CHECK(by_folder.at("chat").as_array().size() > 50);  // the mix kept a long channel
  }
}

TEST_CASE("a StateFolder applies the other delta kinds like apply_delta") {
  json::object by_delta{{"list", json::array{1}}, {"obj", json::object{{"a", 1}}}, {"x", 1}};
  json::object by_folder = by_delta;
  StateFolder folder;
  for (const ChannelDelta& d : {ChannelDelta{"list", DeltaOp::append, json::array{2, 3}},
                                ChannelDelta{"obj", DeltaOp::merge_object, json::object{{"b", 2}}},
                                ChannelDelta{"x", DeltaOp::replace, 5}, ChannelDelta{"x", DeltaOp::remove, nullptr}}) {
    apply_delta(by_delta, d);
    folder.apply(by_folder, d);
  }
  CHECK(by_folder == by_delta);
  CHECK(by_folder == json::parse(R"({"list":[1,2,3],"obj":{"a":1,"b":2}})").as_object());
}

TEST_CASE("a StateFolder notices a channel changed behind its back, and reset() forgets its index") {
  json::object state;
  StateFolder folder;
  folder.apply(state, merge(json::array{message("a", "1"), message("b", "2")}));
  // Replaced outside the folder with the same length: positions moved.
  state["chat"] = json::array{message("b", "2"), message("a", "1")};
  folder.apply(state, merge(json::array{message("a", "edited")}));
  CHECK(state.at("chat") == json::array{message("b", "2"), message("a", "edited")});

  state["chat"] = json::array{message("c", "3"), message("d", "4")};
  folder.reset();
  folder.apply(state, merge(json::array{message("c", "edited"), message("a", "back")}));
  CHECK(state.at("chat") == json::array{message("c", "edited"), message("d", "4"), message("a", "back")});
}

TEST_CASE("a StateFolder rejects what apply_delta rejects, naming the channel") {
  json::object state{{"chat", "not a list"}};
  StateFolder folder;
  CHECK_THROWS_WITH_AS(folder.apply(state, merge(json::array{message("a", "1")})), doctest::Contains("channel 'chat'"),
                       std::invalid_argument);
  json::object empty;
  CHECK_THROWS_WITH_AS(folder.apply(empty, merge(json::array{json::object{{"content", "no id"}}})),
                       doctest::Contains("no string \"id\""), std::invalid_argument);
}
