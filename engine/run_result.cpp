// SPDX-License-Identifier: MIT
#include "engine/run_result.hpp"

#include "engine/error.hpp"

namespace weft {

boost::json::object to_json(const Interrupt& interrupt) {
  const char* kind = interrupt.kind == Interrupt::Kind::node     ? "node"
                     : interrupt.kind == Interrupt::Kind::before ? "before"
                                                                 : "after";
  return boost::json::object{{"id", interrupt.id},     {"value", interrupt.value},
                             {"node", interrupt.node}, {"task_id", interrupt.task_id},
                             {"kind", kind},           {"ns", interrupt.ns}};
}

boost::json::array to_json(const std::vector<Interrupt>& interrupts) {
  boost::json::array out;
  out.reserve(interrupts.size());
  for (const Interrupt& i : interrupts) out.push_back(to_json(i));
  return out;
}

Interrupt interrupt_from_json(const boost::json::value& value) {
  Interrupt interrupt;
  const boost::json::object* o = value.if_object();
  if (!o) return interrupt;
  auto text = [&](std::string_view key) -> std::string {
    const auto* v = o->if_contains(key);
    return v && v->is_string() ? std::string(v->get_string()) : std::string();
  };
  interrupt.id = text("id");
  if (const auto* v = o->if_contains("value")) interrupt.value = *v;
  interrupt.node = text("node");
  interrupt.task_id = text("task_id");
  interrupt.ns = text("ns");
  const std::string kind = text("kind");
  interrupt.kind = kind == "before"  ? Interrupt::Kind::before
                   : kind == "after" ? Interrupt::Kind::after
                                     : Interrupt::Kind::node;
  return interrupt;
}

const RunResult& RunResult::check() const {
  if (status == RunStatus::failed) {
    if (error) throw Error(error->code, error->message);
    throw Error(engine::error::node_failed, "run failed without an error record");
  }
  return *this;
}

}  // namespace weft
