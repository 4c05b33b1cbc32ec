// SPDX-License-Identifier: MIT
#pragma once
// A small JSON Schema validator that words its errors like AJV 6, which is what Crisp's API
// answers with (crisp-api.md §1.4): "data should have required property '.origin'",
// "data.type should be equal to one of the allowed values", "data should match some schema in
// anyOf", joined with ", " (AJV's errorsText with allErrors).
//
// Supported keywords: type (string or array; "integer" accepts integral numbers), properties,
// required, additionalProperties (false only), enum, anyOf, minimum, maximum, minLength,
// maxLength, pattern, format (email, uuid, date-time, uri), items, minItems, maxItems.

#include <string>
#include <vector>

#include <boost/json/value.hpp>

namespace weft::sandbox::crisp::detail {

class Schema {
 public:
  // Parses the schema text; throws std::invalid_argument when it is not a JSON object.
  explicit Schema(std::string_view json_text);
  // The AJV-style messages for `data` (empty when valid), each prefixed with its data path.
  std::vector<std::string> errors(const boost::json::value& data) const;
  // errors() joined with ", " ("" when valid).
  std::string message(const boost::json::value& data) const;

 private:
  boost::json::value schema_;
};

}  // namespace weft::sandbox::crisp::detail
