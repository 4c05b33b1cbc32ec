// SPDX-License-Identifier: MIT
// Active visitors: count and list (20 per page, sandbox choice). crisp-api.md §2.9.

#include "sandbox/crisp/detail/api.hpp"

namespace weft::sandbox::crisp::detail {
namespace json = boost::json;

void add_visitor_routes(Api& api) {
  api.add("GET", "/visitors/count", Family::general, [](Ctx& ctx) {
    const auto& visitors = ctx.site.at("visitors").as_array();
    std::int64_t active = 0;
    for (const auto& v : visitors) active += v.at("active").as_bool() ? 1 : 0;
    json::object data;
    data["count"] = static_cast<std::int64_t>(visitors.size());
    data["active"] = active;
    data["limited"] = false;
    Reply r;
    r.data = std::move(data);
    return r;
  });
  api.add("GET", "/visitors/list/{page_number}", Family::general, [](Ctx& ctx) {
    const auto page = ctx.page();
    std::vector<const json::value*> items;
    for (const auto& v : ctx.site.at("visitors").as_array()) items.push_back(&v);
    Reply r;
    r.raw_data = paginate_json(items, page, 20);
    return r;
  });
}

}  // namespace weft::sandbox::crisp::detail
