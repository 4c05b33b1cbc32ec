# SPDX-License-Identifier: MIT
# cmake -DINPUT=catalog.json -DOUTPUT=catalog_data.cpp -P embed_catalog.cmake
# Writes a C++ file whose weft::crisp::builtin_catalog_json() returns the catalog's text. The
# bytes are emitted as a hex array so that no quoting of the JSON is needed and no string-literal
# length limit applies.
file(READ "${INPUT}" hex HEX)
string(LENGTH "${hex}" hex_length)
math(EXPR size "${hex_length} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
string(REGEX REPLACE "((0x[0-9a-f][0-9a-f],){24})" "\\1\n" bytes "${bytes}")
file(WRITE "${OUTPUT}.tmp"
"// Generated from nodes/crisp/catalog.json by nodes/crisp/embed_catalog.cmake. Do not edit.
#include \"nodes/crisp/catalog.hpp\"

namespace weft::crisp {
namespace {
const unsigned char kCatalog[] = {
${bytes}
0};
}  // namespace

std::string_view builtin_catalog_json() noexcept {
  return {reinterpret_cast<const char*>(kCatalog), ${size}};
}

}  // namespace weft::crisp
")
file(COPY_FILE "${OUTPUT}.tmp" "${OUTPUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUTPUT}.tmp")
