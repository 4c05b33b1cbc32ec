// SPDX-License-Identifier: MIT
// Operators: list, get one. crisp-api.md §2.14 (list operators) and §6 WebsiteOperator.

#include "sandbox/crisp/detail/api.hpp"
#include "sandbox/crisp/detail/ids.hpp"

namespace weft::sandbox::crisp::detail {
namespace json = boost::json;

void add_operator_routes(Api& api) {
  api.add("GET", "/operators/list", Family::general, [](Ctx& ctx) {
    Reply r;
    r.data = ctx.site.at("operators");
    return r;
  });
  api.add("GET", "/operator/{user_id}", Family::general, [](Ctx& ctx) {
    const auto id = ctx.param("user_id");
    if (!is_uuid(id)) throw_invalid("data.user_id should match format \"uuid\"");
    for (const auto& op : ctx.site.at("operators").as_array()) {
      if (op.at("details").at("user_id").as_string() == id) {
        Reply r;
        r.data = op;
        return r;
      }
    }
    throw_not_found("operator not found");
  });
}

}  // namespace weft::sandbox::crisp::detail
