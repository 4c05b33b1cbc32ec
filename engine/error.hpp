#pragma once
// Errors of the engine module, and weft::Error, the exception every Weft module throws.
//
// Each module has a closed `enum class error` with its own std::error_category (engine here,
// store/error.hpp, nodes/..., ...). weft::Error carries one such code plus a message that says what
// happened, to what, and what to do.

#include <string>
#include <system_error>

namespace weft {

/// The exception thrown by Weft. code() tells the module and situation; what() is the message a
/// user reads (it never contains a secret).
class Error : public std::system_error {
 public:
  Error(std::error_code code, const std::string& message) : std::system_error(code, message) {}
};

namespace engine {

/// Situations the engine reports. The foundation issue completes this list.
enum class error {
  invalid_graph = 1,  ///< compile() found a problem (unknown node, no entry, unreachable, ...)
};

const std::error_category& error_category() noexcept;
inline std::error_code make_error_code(error e) noexcept { return {static_cast<int>(e), error_category()}; }

}  // namespace engine
}  // namespace weft

template <>
struct std::is_error_code_enum<weft::engine::error> : std::true_type {};
