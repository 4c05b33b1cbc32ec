// Checkpoint and journal row decoding (store/detail/codec.*): a damaged or hostile database row
// must decode or fail with bad_record, never crash. The first byte picks the column form; the rest
// is the column text. Oracles: what decodes re-encodes and decodes to the same; folding deltas
// with a StateFolder agrees with applying them one by one.

#include "engine/checkpoint.hpp"
#include "engine/error.hpp"
#include "store/detail/codec.hpp"

#include <boost/json/serialize.hpp>

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

bool same_deltas(const std::vector<weft::ChannelDelta>& a, const std::vector<weft::ChannelDelta>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    // A remove carries no value once encoded (a stored one is ignored by the fold).
    if (a[i].channel != b[i].channel || a[i].op != b[i].op ||
        (a[i].op != weft::DeltaOp::remove && a[i].value != b[i].value))
      return false;
  return true;
}

void deltas(std::string_view text) {
  std::vector<weft::ChannelDelta> decoded = decode_deltas(text, kWhere);
  // Compared from the first re-encoding on. OPEN FINDING: fuzz/findings/store_codec-number-drift
  // (a 50-digit number, a merge_messages item without "id") still fails this check; the cause is
  // not established yet (suspected: Boost.JSON's imprecise parsing of long numbers).
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
  if (!folder_failed) check(by_folder == one_by_one);
}

void writes(std::string_view text) {
  const std::vector<weft::ChannelWrite> decoded = decode_writes(encode_writes(decode_writes(text, kWhere)), kWhere);
  const std::vector<weft::ChannelWrite> again = decode_writes(encode_writes(decoded), kWhere);
  check(decoded.size() == again.size());
  for (std::size_t i = 0; i < decoded.size(); ++i)
    check(decoded[i].channel == again[i].channel && decoded[i].value == again[i].value);
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
