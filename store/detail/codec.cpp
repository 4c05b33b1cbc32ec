// SPDX-License-Identifier: MIT
#include "store/detail/codec.hpp"

#include "engine/error.hpp"
#include "store/error.hpp"

#include <boost/json/array.hpp>
#include <boost/json/parser.hpp>
#include <boost/json/serialize.hpp>

#include <stdexcept>

namespace weft::store::detail {

void throw_bad_record(const RowRef& where, std::string_view what) {
  std::string message = "thread '" + std::string(where.thread_id) + "': " + std::string(where.table) + " row '" +
                        std::string(where.row_id) + "' is corrupt (column '" + std::string(where.column) +
                        "': " + std::string(what) + "); run 'weft check " + std::string(where.db_path) + "'";
  throw Error(error::bad_record, message);
}

std::string encode_deltas(const std::vector<ChannelDelta>& deltas) {
  boost::json::array out;
  out.reserve(deltas.size());
  for (const ChannelDelta& d : deltas) {
    boost::json::array item;
    item.reserve(3);
    item.emplace_back(d.channel);
    item.emplace_back(to_string(d.op));
    if (d.op != DeltaOp::remove) item.push_back(d.value);
    out.emplace_back(std::move(item));
  }
  return boost::json::serialize(out);
}

std::string encode_writes(const std::vector<ChannelWrite>& writes) {
  boost::json::array out;
  out.reserve(writes.size());
  for (const ChannelWrite& w : writes) {
    boost::json::array item;
    item.reserve(2);
    item.emplace_back(w.channel);
    item.push_back(w.value);
    out.emplace_back(std::move(item));
  }
  return boost::json::serialize(out);
}

boost::json::value parse_json(std::string_view text, const RowRef& where) {
  boost::json::parser parser;
  return parse_json(text, where, parser);
}

boost::json::value parse_json(std::string_view text, const RowRef& where, boost::json::parser& parser,
                              boost::json::storage_ptr storage) {
  parser.reset(std::move(storage));
  boost::system::error_code ec;
  const std::size_t used = parser.write(text.data(), text.size(), ec);
  if (ec) {
    throw_bad_record(where, "bad JSON at byte " + std::to_string(used) + ": " + ec.message());
  }
  return parser.release();
}

boost::json::object parse_object(std::string_view text, const RowRef& where) {
  boost::json::value v = parse_json(text, where);
  if (!v.is_object()) throw_bad_record(where, "expected a JSON object");
  return std::move(v.get_object());
}

namespace {

ChannelDelta take_delta(boost::json::value& item, const RowRef& where) {
  boost::json::array* a = item.if_array();
  if (!a || a->size() < 2 || a->size() > 3 || !(*a)[0].is_string() || !(*a)[1].is_string()) {
    throw_bad_record(where, "a delta is not [channel, op, value]");
  }
  std::optional<DeltaOp> op = parse_delta_op((*a)[1].get_string());
  if (!op) throw_bad_record(where, "unknown delta op '" + std::string((*a)[1].get_string()) + "'");
  if (a->size() == 2 && *op != DeltaOp::remove)
    throw_bad_record(where, "delta on '" + std::string((*a)[0].get_string()) + "' has no value");
  // Constructed, not assigned: the value keeps the storage it was parsed into (an assignment
  // into a default-constructed value would copy everything when that is an arena).
  return ChannelDelta{std::string((*a)[0].get_string()), *op,
                      a->size() == 3 ? std::move((*a)[2]) : boost::json::value(nullptr, a->storage())};
}

}  // namespace

std::vector<ChannelDelta> decode_deltas(std::string_view text, const RowRef& where) {
  return decode_deltas(parse_json(text, where), where);
}

std::vector<ChannelDelta> decode_deltas(boost::json::value v, const RowRef& where) {
  boost::json::array* items = v.if_array();
  if (!items) throw_bad_record(where, "expected a JSON array of deltas");
  std::vector<ChannelDelta> out;
  out.reserve(items->size());
  for (boost::json::value& item : *items) out.push_back(take_delta(item, where));
  return out;
}

void fold_deltas(boost::json::object& values, std::vector<ChannelDelta>& deltas, const RowRef& where,
                 StateFolder* folder) {
  for (const ChannelDelta& d : deltas) {
    try {
      if (folder) {
        folder->apply(values, d);
      } else {
        apply_delta(values, d);
      }
    } catch (const std::invalid_argument& e) {
      throw_bad_record(where, e.what());
    }
  }
}

void fold_deltas(boost::json::object& values, boost::json::value&& deltas, const RowRef& where, StateFolder& folder) {
  boost::json::array* items = deltas.if_array();
  if (!items) throw_bad_record(where, "expected a JSON array of deltas");
  for (boost::json::value& item : *items) {
    ChannelDelta d = take_delta(item, where);
    // An append onto an array (a growing history's every row) moves its items into the state;
    // everything else, errors included, goes through the engine's one definition of a delta.
    if (d.op == DeltaOp::append && d.value.is_array()) {
      boost::json::value* target = values.if_contains(d.channel);
      if (!target) target = &values[d.channel];
      if (target->is_null()) *target = boost::json::array();
      if (boost::json::array* into = target->if_array()) {
        boost::json::array& from = d.value.get_array();
        for (boost::json::value& v : from) into->push_back(std::move(v));
        continue;
      }
    }
    try {
      folder.apply(values, d);
    } catch (const std::invalid_argument& e) {
      throw_bad_record(where, e.what());
    }
  }
}

std::vector<ChannelWrite> decode_writes(std::string_view text, const RowRef& where) {
  boost::json::value v = parse_json(text, where);
  boost::json::array* items = v.if_array();
  if (!items) throw_bad_record(where, "expected a JSON array of writes");
  std::vector<ChannelWrite> out;
  out.reserve(items->size());
  for (boost::json::value& item : *items) {
    boost::json::array* a = item.if_array();
    if (!a || a->size() != 2 || !(*a)[0].is_string()) throw_bad_record(where, "a write is not [channel, value]");
    out.push_back(ChannelWrite{std::string((*a)[0].get_string()), std::move((*a)[1])});
  }
  return out;
}

TaskWrites decode_task_writes(const std::string& path, const std::string& thread_id, const std::string& ns,
                              std::string checkpoint_id, std::string task_id, std::string task_name,
                              const std::string& text) {
  const std::string row_id = checkpoint_id + "/" + task_id;
  TaskWrites w;
  w.thread_id = thread_id;
  w.ns = ns;
  w.checkpoint_id = std::move(checkpoint_id);
  w.task_id = std::move(task_id);
  w.task_name = std::move(task_name);
  w.writes = decode_writes(text, RowRef{path, "writes", thread_id, row_id, "writes"});
  return w;
}

}  // namespace weft::store::detail
