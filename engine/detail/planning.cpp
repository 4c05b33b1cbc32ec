// SPDX-License-Identifier: MIT
// Plans and routing: what runs in the next superstep, and its JSON form in CheckpointRecord::next.
#include "engine/detail/planning.hpp"

#include "engine/detail/channels.hpp"
#include "engine/detail/view_overlay.hpp"
#include "engine/error.hpp"

#include <boost/json/array.hpp>

#include <algorithm>

namespace weft::detail {

boost::json::object send_to_json(const Send& send) {
  return boost::json::object{{"node", send.node}, {"arg", send.arg}};
}

Send send_from_json(const boost::json::value& value) {
  Send send;
  if (const auto* o = value.if_object()) {
    if (const auto* node = o->if_contains("node"); node && node->is_string()) send.node = node->get_string();
    if (const auto* arg = o->if_contains("arg"); arg && arg->is_object()) send.arg = arg->get_object();
  }
  return send;
}

std::vector<std::string> Plan::next_names() const {
  std::vector<std::string> names = pull;
  for (const Send& send : sends) names.push_back(send.node);
  return names;
}

boost::json::object Plan::to_json() const {
  boost::json::object next;
  boost::json::array pulls;
  for (const std::string& name : pull) pulls.emplace_back(name);
  next["pull"] = std::move(pulls);
  boost::json::array sent;
  for (const Send& send : sends) sent.emplace_back(send_to_json(send));
  next["sends"] = std::move(sent);
  boost::json::object barriers;
  for (const auto& [key, arrived] : joins) {
    boost::json::array names;
    for (const std::string& name : arrived) names.emplace_back(name);
    barriers[key] = std::move(names);
  }
  next["joins"] = std::move(barriers);
  return next;
}

Plan Plan::from_json(const boost::json::object& next) {
  Plan plan;
  if (const auto* pulls = next.if_contains("pull"); pulls && pulls->is_array()) {
    for (const auto& name : pulls->get_array())
      if (name.is_string()) plan.pull.emplace_back(name.get_string());
  }
  if (const auto* sent = next.if_contains("sends"); sent && sent->is_array()) {
    for (const auto& item : sent->get_array())
      if (item.is_object()) plan.sends.push_back(send_from_json(item));
  }
  if (const auto* barriers = next.if_contains("joins"); barriers && barriers->is_object()) {
    for (const auto& [key, arrived] : barriers->get_object()) {
      std::vector<std::string> names;
      if (arrived.is_array())
        for (const auto& n : arrived.get_array())
          if (n.is_string()) names.emplace_back(n.get_string());
      plan.joins.emplace(std::string(key), std::move(names));
    }
  }
  return plan;
}

void check_destinations(const GraphDef& def, std::vector<std::string>& gotos, const std::vector<Send>& sends,
                        std::string_view who) {
  std::erase_if(gotos, [](const std::string& name) { return name == END; });
  for (const std::string& name : gotos) {
    if (!def.find_node(name))
      throw Error(engine::error::invalid_route,
                  std::string(who) + " routed to unknown node '" + name + "' (graph '" + def.name + "')");
  }
  for (const Send& send : sends) {
    if (send.node == END)
      throw Error(engine::error::invalid_route, std::string(who) + " sent a Send to END; Send needs a node");
    if (!def.find_node(send.node))
      throw Error(engine::error::invalid_route,
                  std::string(who) + " sent a Send to unknown node '" + send.node + "' (graph '" + def.name + "')");
  }
}

void route_after(const GraphDef& def, std::size_t index, const StateView& view, std::vector<std::string>& gotos,
                 std::vector<Send>& sends, std::string_view who) {
  for (std::size_t r : def.routers_of[index]) {
    const RouterDef& router = def.routers[r];
    Route route = router.router(view);
    std::vector<std::string> names;
    for (const std::string& name : route.names()) {
      if (router.path_map.empty()) {
        names.push_back(name);
        continue;
      }
      auto mapped = router.path_map.find(name);
      if (mapped == router.path_map.end() && name == END) continue;  // END needs no mapping
      if (mapped == router.path_map.end())
        throw Error(engine::error::invalid_route,
                    "the router after " + std::string(who) + " returned '" + name + "', which is not in its path map");
      names.push_back(mapped->second);
    }
    check_destinations(def, names, route.sends(), "the router after " + std::string(who));
    for (std::string& name : names) gotos.push_back(std::move(name));
    for (const Send& send : route.sends()) sends.push_back(send);
  }
}

StateView local_view(const GraphDef& def, const std::shared_ptr<const boost::json::object>& snapshot,
                     const boost::json::object& update) {
  if (update.empty()) return StateView(snapshot);
  return overlaid_view(snapshot, std::make_shared<const LocalWritesOverlay>(def.schema, snapshot, update));
}

void advance_plan(const GraphDef& def, Plan& next, std::size_t index, const std::vector<std::string>& gotos,
                  const std::vector<Send>& sends) {
  for (const std::string& to : def.static_next[index])
    if (to != END) next.pull.push_back(to);
  for (const std::string& to : gotos)
    if (to != END) next.pull.push_back(to);
  for (const Send& send : sends) next.sends.push_back(send);
  if (index >= def.nodes.size()) return;
  const std::string& name = def.nodes[index].name;
  for (std::size_t j : def.joins_of[index]) {
    const JoinDef& join = def.joins[j];
    std::vector<std::string>& arrived = next.joins[join.key];
    if (std::find(arrived.begin(), arrived.end(), name) == arrived.end()) {
      arrived.insert(std::upper_bound(arrived.begin(), arrived.end(), name), name);
    }
    if (arrived == join.sources) {
      next.joins.erase(join.key);
      if (join.target != END) next.pull.push_back(join.target);
    }
  }
}

void finish_plan(Plan& next) {
  std::sort(next.pull.begin(), next.pull.end());
  next.pull.erase(std::unique(next.pull.begin(), next.pull.end()), next.pull.end());
}

Plan hold_deferred(const GraphDef& def, Plan& plan) {
  const auto deferred = [&](const std::string& name) {
    const NodeDef* node = def.find_node(name);
    return node && node->options.defer;
  };
  const bool others =
      std::any_of(plan.pull.begin(), plan.pull.end(), [&](const auto& n) { return !deferred(n); }) ||
      std::any_of(plan.sends.begin(), plan.sends.end(), [&](const Send& s) { return !deferred(s.node); });
  Plan held;
  if (!others) return held;
  auto pull_end =
      std::stable_partition(plan.pull.begin(), plan.pull.end(), [&](const auto& n) { return !deferred(n); });
  held.pull.assign(std::make_move_iterator(pull_end), std::make_move_iterator(plan.pull.end()));
  plan.pull.erase(pull_end, plan.pull.end());
  auto send_end =
      std::stable_partition(plan.sends.begin(), plan.sends.end(), [&](const Send& s) { return !deferred(s.node); });
  held.sends.assign(std::make_move_iterator(send_end), std::make_move_iterator(plan.sends.end()));
  plan.sends.erase(send_end, plan.sends.end());
  return held;
}
}  // namespace weft::detail
