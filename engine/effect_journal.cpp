// SPDX-License-Identifier: MIT
#include "engine/effect_journal.hpp"

#include "engine/detail/hash.hpp"

#include <boost/json/serialize.hpp>

#include <algorithm>
#include <vector>

namespace weft {
namespace {

// Canonical JSON text: members sorted by key (byte order), so two requests that differ only in
// member order (a model writing {"b":1,"a":2}) have one digest. Iterative over containers would
// be overkill: requests are built by code or bounded by the tool layer's argument validation.
void canonical(const boost::json::value& v, std::string& out) {
  switch (v.kind()) {
    case boost::json::kind::object: {
      const auto& o = v.get_object();
      std::vector<const boost::json::key_value_pair*> members;
      members.reserve(o.size());
      for (const auto& m : o) members.push_back(&m);
      std::sort(members.begin(), members.end(), [](auto* a, auto* b) { return a->key() < b->key(); });
      out += '{';
      for (std::size_t i = 0; i < members.size(); ++i) {
        if (i) out += ',';
        out += boost::json::serialize(boost::json::value(members[i]->key()));
        out += ':';
        canonical(members[i]->value(), out);
      }
      out += '}';
      return;
    }
    case boost::json::kind::array: {
      const auto& a = v.get_array();
      out += '[';
      for (std::size_t i = 0; i < a.size(); ++i) {
        if (i) out += ',';
        canonical(a[i], out);
      }
      out += ']';
      return;
    }
    default: out += boost::json::serialize(v);
  }
}

}  // namespace

std::string request_digest(const boost::json::value& request) {
  if (request.is_null()) return {};
  std::string text;
  canonical(request, text);
  return detail::IdHasher().add("weft-request-v1").add(text).hex();
}

}  // namespace weft

namespace weft {

boost::asio::awaitable<EffectEntry> EffectJournal::async_find(std::string thread_id, std::string key) {
  co_return find(thread_id, key);
}

boost::asio::awaitable<void> EffectJournal::async_begin_request(std::string thread_id, std::string key,
                                                                std::string request_digest) {
  begin_request(thread_id, key, request_digest);
  co_return;
}

boost::asio::awaitable<void> EffectJournal::async_finish(std::string thread_id, std::string key,
                                                         boost::json::value result) {
  finish(thread_id, key, result);
  co_return;
}

boost::asio::awaitable<void> EffectJournal::async_abandon(std::string thread_id, std::string key) {
  abandon(thread_id, key);
  co_return;
}

boost::asio::awaitable<void> EffectJournal::async_confirm_may_act(std::string thread_id) {
  confirm_may_act(thread_id);
  co_return;
}

}  // namespace weft
