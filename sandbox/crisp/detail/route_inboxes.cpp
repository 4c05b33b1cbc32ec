// SPDX-License-Identifier: MIT
// Inboxes: list, get, HEAD. crisp-api.md §2.7 and §8.6 (teams fields).

#include "sandbox/crisp/detail/api.hpp"
#include "sandbox/crisp/detail/ids.hpp"

namespace weft::sandbox::crisp::detail {
namespace json = boost::json;

void add_inbox_routes(Api& api) {
  api.add("GET", "/inboxes/list/{page_number}", Family::general, [](Ctx& ctx) {
    const auto page = ctx.page();
    std::vector<const json::value*> items;
    for (const auto& inbox : ctx.site.at("inboxes").as_array()) items.push_back(&inbox);
    Reply r;
    r.raw_data = paginate_json(items, page, 20);
    return r;
  });
  auto get_inbox = [](Ctx& ctx) {
    const auto id = ctx.param("inbox_id");
    if (!is_uuid(id)) throw_invalid("data.inbox_id should match format \"uuid\"");
    for (const auto& inbox : ctx.site.at("inboxes").as_array()) {
      if (inbox.at("inbox_id").as_string() == id) {
        Reply r;
        r.data = inbox;
        return r;
      }
    }
    throw_not_found("inbox not found");
  };
  api.add("GET", "/inbox/{inbox_id}", Family::general, get_inbox);
  api.add("HEAD", "/inbox/{inbox_id}", Family::general, get_inbox);
}

}  // namespace weft::sandbox::crisp::detail
