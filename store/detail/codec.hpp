// SPDX-License-Identifier: MIT
#pragma once
// Private: the JSON text forms of the store's columns (format in store/checkpoint_format.md).
//   deltas: [[channel, op, value], ...]  (op is to_string(DeltaOp); a remove has no value)
//   writes: [[channel, value], ...]
// Decoding failures throw weft::Error(store::error::bad_record) naming the row and column.

#include "engine/checkpoint.hpp"

#include <boost/json/object.hpp>
#include <boost/json/parser.hpp>
#include <boost/json/value.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace weft::store::detail {

/// Where a decoded text came from, for error messages. Views must outlive the call.
struct RowRef {
  std::string_view db_path;
  std::string_view table;
  std::string_view thread_id;
  std::string_view row_id;  ///< checkpoint id, "checkpoint/task", or effect key
  std::string_view column;
};

[[noreturn]] void throw_bad_record(const RowRef& where, std::string_view what);

std::string encode_deltas(const std::vector<ChannelDelta>& deltas);
std::string encode_writes(const std::vector<ChannelWrite>& writes);

boost::json::value parse_json(std::string_view text, const RowRef& where);
/// As parse_json, reusing `parser`'s buffers (a load parses hundreds of small delta texts); the
/// value is allocated from `storage` (default: the heap), e.g. one arena for a whole chain.
boost::json::value parse_json(std::string_view text, const RowRef& where, boost::json::parser& parser,
                              boost::json::storage_ptr storage = {});
boost::json::object parse_object(std::string_view text, const RowRef& where);
std::vector<ChannelDelta> decode_deltas(std::string_view text, const RowRef& where);
std::vector<ChannelDelta> decode_deltas(boost::json::value deltas, const RowRef& where);
/// Applies the encoded deltas to `values`; bad JSON or a delta that does not fit throws bad_record.
void fold_deltas(boost::json::object& values, std::vector<ChannelDelta>& deltas, const RowRef& where,
                 StateFolder* folder = nullptr);
/// Applies a parsed `deltas` column (`[[channel, op, value], ...]`) to `values`, consuming it:
/// appended items are moved into the state, not copied. Errors as decode_deltas + fold_deltas.
void fold_deltas(boost::json::object& values, boost::json::value&& deltas, const RowRef& where, StateFolder& folder);
std::vector<ChannelWrite> decode_writes(std::string_view text, const RowRef& where);
/// One `writes` row of a task: its writes decoded, the rest copied in.
TaskWrites decode_task_writes(const std::string& path, const std::string& thread_id, const std::string& ns,
                              std::string checkpoint_id, std::string task_id, std::string task_name,
                              const std::string& text);

}  // namespace weft::store::detail
