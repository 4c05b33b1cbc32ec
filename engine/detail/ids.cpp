// SPDX-License-Identifier: MIT
#include "engine/detail/ids.hpp"

#include "engine/detail/hash.hpp"

#include <charconv>

namespace weft::detail {

std::string checkpoint_id_for(std::uint64_t sequence) {
  std::string id(20, '0');
  for (std::size_t i = id.size(); i-- > 0 && sequence != 0; sequence /= 10)
    id[i] = static_cast<char>('0' + sequence % 10);
  return id;
}

std::uint64_t checkpoint_sequence(const std::string& id) noexcept {
  std::uint64_t value = 0;
  auto [ptr, ec] = std::from_chars(id.data(), id.data() + id.size(), value);
  return ec == std::errc() && ptr == id.data() + id.size() ? value : 0;
}

std::string make_task_id(const std::string& thread_id, const std::string& ns, const std::string& checkpoint_id,
                         std::int64_t step, std::string_view node, bool push, std::size_t send_index,
                         std::string_view payload_digest) {
  IdHasher hasher;
  hasher.add(thread_id).add(ns).add(checkpoint_id).add(static_cast<std::uint64_t>(step)).add(node);
  hasher.add(push ? "push" : "pull").add(static_cast<std::uint64_t>(send_index));
  if (push) hasher.add("payload").add(payload_digest);
  return hasher.hex();
}

}  // namespace weft::detail
