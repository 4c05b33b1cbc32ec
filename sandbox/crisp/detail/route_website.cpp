// SPDX-License-Identifier: MIT
// The website itself: GET /v1/website/{website_id} (crisp-api.md §6 WebsiteBase getWebsite).

#include "sandbox/crisp/detail/api.hpp"

namespace weft::sandbox::crisp::detail {
namespace json = boost::json;

void add_website_routes(Api& api) {
  api.add("GET", "", Family::general, [](Ctx& ctx) {
    json::object data;
    data["website_id"] = ctx.website_id;
    data["name"] = ctx.site.at("name");
    data["domain"] = ctx.site.at("domain");
    data["logo"] = "";
    Reply r;
    r.data = std::move(data);
    return r;
  });
}

}  // namespace weft::sandbox::crisp::detail
