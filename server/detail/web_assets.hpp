// SPDX-License-Identifier: MIT
#pragma once
// Private: the files of the approval inbox page (server/web/), compiled into the binary by
// cmake/embed_web_assets.cmake, so `weft serve` needs no file next to it and no CDN.

#include <string_view>
#include <vector>

namespace weft::server::detail {

struct WebAsset {
  std::string_view name;          ///< the file name under server/web/, e.g. "inbox.js"
  std::string_view content_type;  ///< e.g. "text/javascript; charset=utf-8"
  std::string_view body;
};

/// Every embedded file, in the order server/CMakeLists.txt lists them. Immutable; any thread.
const std::vector<WebAsset>& web_assets();

/// The embedded file called `name`, or nullptr.
const WebAsset* find_web_asset(std::string_view name);

}  // namespace weft::server::detail
