// SPDX-License-Identifier: MIT
#include "server/detail/message_events.hpp"

#include <utility>
#include <vector>

namespace json = boost::json;

namespace weft::server::detail {
namespace {

json::object message(const std::string& task_id, const char* type, std::string content) {
  json::object m;
  m["type"] = type;
  m["id"] = "run-" + task_id;
  m["content"] = std::move(content);
  m["tool_calls"] = json::array();
  m["additional_kwargs"] = json::object();
  m["response_metadata"] = json::object();
  return m;
}

}  // namespace

MessageEvents::MessageEvents(std::string run_id, std::string thread_id, bool tuples, bool partials,
                             std::function<void(std::string, const json::value&)> push)
    : run_id_(std::move(run_id)),
      thread_id_(std::move(thread_id)),
      tuples_(tuples),
      partials_(partials),
      push_(std::move(push)) {}

json::object MessageEvents::metadata(const std::string& task_id, const Open& open) const {
  json::object m;
  m["langgraph_node"] = open.node;
  m["langgraph_step"] = open.step;
  m["langgraph_task_id"] = task_id;
  m["langgraph_checkpoint_ns"] = "";
  m["run_id"] = run_id_;
  m["thread_id"] = thread_id_;
  m["tags"] = json::array();
  return m;
}

void MessageEvents::token(const std::string& task_id, const std::string& node, std::int64_t step,
                          const std::string& delta) {
  auto [it, started] = open_.try_emplace(task_id, Open{node, step, {}});
  Open& open = it->second;
  open.text += delta;
  if (tuples_) {
    json::array tuple;
    tuple.push_back(message(task_id, "AIMessageChunk", delta));
    tuple.push_back(metadata(task_id, open));
    push_("messages", tuple);
  }
  if (partials_) {
    if (started) {
      json::object announce;
      announce["run-" + task_id] = json::object{{"metadata", metadata(task_id, open)}};
      push_("messages/metadata", announce);
    }
    push_("messages/partial", json::array{message(task_id, "ai", open.text)});
  }
}

void MessageEvents::complete(const std::string& task_id, const Open& open) {
  if (partials_) push_("messages/complete", json::array{message(task_id, "ai", open.text)});
}

void MessageEvents::node_finished(const std::string& node, std::int64_t step) {
  for (auto it = open_.begin(); it != open_.end();) {
    if (it->second.node == node && it->second.step == step) {
      complete(it->first, it->second);
      it = open_.erase(it);
    } else {
      ++it;
    }
  }
}

void MessageEvents::finish_all() {
  for (const auto& [task_id, open] : open_) complete(task_id, open);
  open_.clear();
}

}  // namespace weft::server::detail
