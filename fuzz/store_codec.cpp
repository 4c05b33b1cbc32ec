// SPDX-License-Identifier: MIT
// Checkpoint and journal row decoding (store/detail/codec.*): a damaged or hostile database row
// must decode or fail with bad_record, never crash. The first byte picks the column form; the rest
// is the column text. Oracles: what decodes re-encodes and decodes to the same; folding deltas
// with a StateFolder agrees with applying them one by one.

#include "engine/checkpoint.hpp"
#include "engine/error.hpp"
#include "store/detail/codec.hpp"

#include <boost/json/serialize.hpp>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

namespace {

using namespace weft::store::detail;
constexpr RowRef kWhere{"fuzz.db", "checkpoints", "thread", "1", "column"};

void check(bool ok) {
  if (!ok) std::abort();
}

// Equal JSON, where doubles may differ in their last digit: Boost.JSON 1.81 does not print and
// parse every double back to itself (4.4444444444444446E60 and 4.444444444444445E60 alternate),
// so a re-encoded number may drift by one ulp. That is the library's, not the codec's.
bool same_json(const boost::json::value& a, const boost::json::value& b) {
  if (a.is_number() && b.is_number() && (a.is_double() || b.is_double())) {
    const double x = a.to_number<double>(), y = b.to_number<double>();
    return x == y || std::fabs(x - y) <= 1e-12 * std::fmax(std::fabs(x), std::fabs(y));
  }
  if (a.kind() != b.kind()) return false;
  if (a.is_array()) {
    const auto &p = a.get_array(), &q = b.get_array();
    if (p.size() != q.size()) return false;
    for (std::size_t i = 0; i < p.size(); ++i)
      if (!same_json(p[i], q[i])) return false;
    return true;
  }
  if (a.is_object()) {
    const auto &p = a.get_object(), &q = b.get_object();
    if (p.size() != q.size()) return false;
    for (const auto& kv : p) {
      const boost::json::value* other = q.if_contains(kv.key());
      if (!other || !same_json(kv.value(), *other)) return false;
    }
    return true;
  }
  return a == b;
}

bool same_deltas(const std::vector<weft::ChannelDelta>& a, const std::vector<weft::ChannelDelta>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    // A remove carries no value once encoded (a stored one is ignored by the fold).
    if (a[i].channel != b[i].channel || a[i].op != b[i].op ||
        (a[i].op != weft::DeltaOp::remove && !same_json(a[i].value, b[i].value)))
      return false;
  return true;
}

void deltas(std::string_view text) {
  std::vector<weft::ChannelDelta> decoded = decode_deltas(text, kWhere);
  // Compared from the first re-encoding on (fuzz/findings/store_codec-number-drift: a 60-digit
  // number re-encodes as a double whose last digit alternates; see same_json).
  const std::vector<weft::ChannelDelta> once = decode_deltas(encode_deltas(decoded), kWhere);
  const std::vector<weft::ChannelDelta> again = decode_deltas(encode_deltas(once), kWhere);
  check(same_deltas(once, again));
  boost::json::object by_folder, one_by_one;
  bool folder_failed = false, plain_failed = false;
  try {
    weft::StateFolder folder;
    fold_deltas(by_folder, decoded, kWhere, &folder);
  } catch (const weft::Error&) {
    folder_failed = true;
  }
  try {
    fold_deltas(one_by_one, decoded, kWhere, nullptr);
  } catch (const weft::Error&) {
    plain_failed = true;
  }
  check(folder_failed == plain_failed);
  if (!folder_failed) check(same_json(by_folder, one_by_one));
}

void writes(std::string_view text) {
  const std::vector<weft::ChannelWrite> decoded = decode_writes(encode_writes(decode_writes(text, kWhere)), kWhere);
  const std::vector<weft::ChannelWrite> again = decode_writes(encode_writes(decoded), kWhere);
  check(decoded.size() == again.size());
  for (std::size_t i = 0; i < decoded.size(); ++i)
    check(decoded[i].channel == again[i].channel && same_json(decoded[i].value, again[i].value));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  try {
    switch (data[0] % 4) {
      case 0: deltas(text); break;
      case 1: writes(text); break;
      case 2: (void)parse_object(text, kWhere); break;
      default: (void)parse_json(text, kWhere); break;
    }
  } catch (const weft::Error&) {
    // bad_record: the expected outcome for a damaged row
  }
  return 0;
}
